"""One Alembic environment for the ops database: the migrations make exactly the tables the
code declares, and a database made before migrations existed is adopted with its rows; on
SQLite and on PostgreSQL (``ops_url``)."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import bylaw.ops_schema  # noqa: F401  (registers the bylaw tables on warehouse.ops.metadata)
from warehouse import migrations, ops


def test_migrations_match_the_declared_schema(ops_url):
    db = ops.OpsDB(ops_url)
    assert migrations.current_revision(db.engine) == migrations.head_revision() == "0002_bylaw_cases"
    with db.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), ops.metadata)
    assert diff == []
    # opening it again is a no-op
    assert migrations.upgrade(db.engine) == "0002_bylaw_cases"
    db.dispose()


def test_a_database_made_by_create_all_is_adopted(ops_url):
    url = ops_url
    engine = sa.create_engine(url)
    old_tables = [ops.ops_exports, ops.review_decisions, ops.review_tickets, ops.mto_owner_records]
    ops.metadata.create_all(engine, tables=old_tables)  # what OpsDB did before migrations
    with engine.begin() as c:
        c.execute(ops.review_decisions.insert().values(read_id="R1", decision="rejected", reason="other",
                                                       reason_note="x", officer_id="PK-101",
                                                       decided_at=sa.func.current_timestamp()))
    engine.dispose()
    db = ops.OpsDB(url)
    assert migrations.current_revision(db.engine) == migrations.head_revision()
    assert db.decided_read_ids() == {"R1"}
    assert {"cases", "complaints", "audit_log"} <= set(sa.inspect(db.engine).get_table_names())
    db.dispose()


def test_screens_opening_a_new_database_at_once_all_get_the_schema(ops_url):
    """Four processes' first start on an empty database: each migrates or waits for the one
    migrating, none fails."""
    import threading

    errors, barrier = [], threading.Barrier(4)

    def open_db():
        barrier.wait()
        try:
            ops.OpsDB(ops_url).dispose()
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(repr(e))

    threads = [threading.Thread(target=open_db) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    engine = sa.create_engine(ops_url)
    assert migrations.current_revision(engine) == migrations.head_revision()
    engine.dispose()
