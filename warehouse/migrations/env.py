"""Alembic environment: migrate on the connection ``warehouse.migrations.upgrade`` hands over."""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through warehouse.migrations.upgrade(engine)")
# render_as_batch: SQLite alters a table by copying it; Alembic's batch mode does that.
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
