"""Schema migrations of the ops database (Alembic, configured in code: no alembic.ini).

``upgrade(engine)`` brings a database to the newest revision; ``warehouse.ops.OpsDB`` calls
it when it opens a database, so every process sees the same schema. Revisions live in
``versions/``: 0001 the review-queue tables of ``warehouse/ops.py`` (created only where
missing, so a database made before migrations existed is adopted as it is), 0002 the
bylaw case tables of ``bylaw/ops_schema.py``.

A new revision: ``.venv/bin/python -m warehouse.migrations revision -m "what changes"``
(an empty one to fill in), then ``upgrade``.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent
MIGRATION_LOCK_KEY = 0x0C1C0415  # PostgreSQL advisory lock taken while migrating


def alembic_config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", HERE.as_posix())
    if connection is not None:
        cfg.attributes["connection"] = connection  # env.py migrates on this connection
    return cfg


@functools.cache
def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as c:
        return MigrationContext.configure(c).get_current_revision()


@contextlib.contextmanager
def _sqlite_migration_lock(engine: sa.Engine):
    """One migrator at a time on a SQLite file, across processes and threads: an exclusive
    lock on ``<database>.migrate.lock`` (pysqlite runs DDL outside a transaction, so two
    first migrations of a new file would both create the tables)."""
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:":
        yield
        return
    import fcntl

    with open(f"{db}.migrate.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upgrade(engine: sa.Engine, revision: str = "head") -> str | None:
    """Migrate to ``revision`` (default the newest); cheap when already there. Returns the revision."""
    if revision == "head" and current_revision(engine) == head_revision():
        return head_revision()
    with _sqlite_migration_lock(engine):
        if revision == "head" and current_revision(engine) == head_revision():
            return head_revision()  # another process or thread migrated while this one waited
        return _upgrade(engine, revision)


def _upgrade(engine: sa.Engine, revision: str) -> str | None:
    try:
        with engine.begin() as c:
            if c.dialect.name == "postgresql":
                # One migrator at a time (held until this transaction ends): a second process
                # starting at the same moment waits here, then finds the schema at head.
                c.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            command.upgrade(alembic_config(c), revision)
    except sa.exc.OperationalError:
        # Another process (a second screen starting) migrated at the same moment: fine if it got there.
        if current_revision(engine) != head_revision():
            raise
    return current_revision(engine)


def main(argv: list[str] | None = None) -> int:
    """A thin CLI for developers: ``revision -m MSG`` or ``upgrade [URL]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["revision"]:
        msg = argv[argv.index("-m") + 1] if "-m" in argv else "change"
        command.revision(alembic_config(), message=msg)
        return 0
    if argv[:1] == ["upgrade"]:
        from warehouse.ops import ops_db_url

        engine = sa.create_engine(argv[1] if len(argv) > 1 else ops_db_url())
        print(upgrade(engine))
        return 0
    print("usage: python -m warehouse.migrations revision -m MSG | upgrade [URL]", file=sys.stderr)
    return 2
