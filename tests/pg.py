"""A throwaway PostgreSQL server for the tests of the ops database.

``postgres_server`` (session scope, from tests/conftest.py) starts one cluster per test
session and stops it at the end:

  * ``CIVIC_TEST_PG_URL`` set (a server CI or a developer already runs, as a SQLAlchemy URL
    with a user allowed to CREATE DATABASE): that server is used and nothing is started;
  * otherwise Debian's binaries (``/usr/lib/postgresql/<n>/bin``, else ``initdb`` on PATH;
    ``CIVIC_PG_BIN`` names the folder explicitly): ``initdb`` into a fresh temporary folder,
    ``pg_ctl start`` listening on 127.0.0.1 on a free port, its unix socket in that folder,
    trust authentication, durability off (fsync) since nothing outlives the session, and
    the session time zone America/Toronto (not UTC) so timestamptz values come back in a
    zone other than UTC, as on a city's server.
    PostgreSQL refuses to run as root: as root, the folder is given to the ``postgres`` OS
    user (the Debian package makes it) and the binaries run as that user (``runuser``).
  * neither: every test that asks for it is skipped, saying how to install it.

Each test gets its own database (``PostgresServer.create_database``): ids, sequences and
case numbers start from 1 as they do in a fresh SQLite file. The driver is psycopg 3
(``postgresql+psycopg://``).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

TEST_PG_URL_ENV = "CIVIC_TEST_PG_URL"
PG_BIN_ENV = "CIVIC_PG_BIN"
INSTALL_HINT = "apt-get install -y postgresql (Debian), or set CIVIC_TEST_PG_URL to a server's URL"


class PostgresUnavailable(RuntimeError):
    pass


def pg_bindir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: ``CIVIC_PG_BIN``, the newest Debian cluster
    version, or PATH; None when PostgreSQL is not installed."""
    if os.environ.get(PG_BIN_ENV):
        d = Path(os.environ[PG_BIN_ENV])
        return d if (d / "initdb").exists() else None
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A server the tests may create databases on: ``url(dbname)`` is its SQLAlchemy URL."""

    _names = itertools.count(1)

    def __init__(self, admin_url: str, stop=None):
        self.admin_url = sa.engine.make_url(admin_url)
        self._stop = stop
        # AUTOCOMMIT: CREATE/DROP DATABASE cannot run inside a transaction
        self.admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def url(self, database: str) -> str:
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def create_database(self) -> str:
        name = f"civic_test_{os.getpid()}_{next(self._names)}"
        with self.admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\''))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = sa.engine.make_url(url).database
        with self.admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def stop(self) -> None:
        self.admin.dispose()
        if self._stop is not None:
            self._stop()


def _runner() -> tuple[list[str], str | None]:
    """The command prefix that runs a PostgreSQL binary, and the OS user that owns the
    cluster (None: the current user)."""
    if os.geteuid() != 0:
        return [], None
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError as e:
        raise PostgresUnavailable("running as root and there is no 'postgres' OS user to run the server as") from e
    runuser = shutil.which("runuser")
    if not runuser:
        raise PostgresUnavailable("running as root and no runuser to run the server as the 'postgres' user")
    return [runuser, "-u", "postgres", "--"], "postgres"


def start_local_server() -> PostgresServer:
    """initdb + pg_ctl start into a fresh temporary folder (see the module doc)."""
    bindir = pg_bindir()
    if bindir is None:
        raise PostgresUnavailable(f"PostgreSQL binaries (initdb, pg_ctl) not found: {INSTALL_HINT}")
    prefix, owner = _runner()
    # /tmp itself, not pytest's tmp_path: the postgres user must reach the folder, and
    # pytest's base folder is private to the current user.
    root = Path(tempfile.mkdtemp(prefix="civic-pg-"))
    data, sock, log = root / "data", root / "sock", root / "server.log"
    sock.mkdir()
    if owner is not None:
        shutil.chown(root, owner, owner)
        shutil.chown(sock, owner, owner)
    port = _free_port()

    def run(*args: str) -> None:
        cmd = [*prefix, str(bindir / args[0]), *args[1:]]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{' '.join(args[:2])} failed ({done.returncode}): "
                                      f"{done.stderr.strip() or done.stdout.strip()}\n{tail}")

    try:
        run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale",
            "--no-sync")
        opts = (f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off -c synchronous_commit=off "
                f"-c full_page_writes=off -c max_connections=60 -c shared_buffers=32MB -c TimeZone=America/Toronto")
        run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(log), "-w", "-t", "60", "start")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise

    def stop() -> None:
        try:
            run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop")
        finally:
            shutil.rmtree(root, ignore_errors=True)

    return PostgresServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop)


def postgres_server_or_reason() -> tuple[PostgresServer | None, str | None]:
    """The session's server, or why there is none (the tests then skip with that reason)."""
    url = os.environ.get(TEST_PG_URL_ENV)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "psycopg is not installed (pip install 'psycopg[binary]')"
    if url:
        return PostgresServer(url), None
    try:
        return start_local_server(), None
    except PostgresUnavailable as e:
        return None, str(e)
