"""Fixtures for every test folder.

``ci_city`` is the ci preset (seed 7) simulated and run through the whole pipeline once
per test session: every slow test that only reads it shares it; a test that changes a city
(imports, reruns, decisions, purges) takes ``ci_city_copy``.

``ops_url`` is a fresh, empty ops database for one test, once on SQLite and once on
PostgreSQL (``postgres_server``: a throwaway cluster for the session, tests/pg.py; the
PostgreSQL run is skipped, with the reason, where PostgreSQL is not installed).
"""

import json
import os
from pathlib import Path

import pytest

from helpers import civic, copy_data_dir
from pg import postgres_server_or_reason

os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty CIVIC_DATA_DIR for one test."""
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("CIVIC_DATA_DIR", str(d))
    for var in ("CIVIC_WAREHOUSE_PATH", "CIVIC_SERVING_PATH", "DAGSTER_HOME"):
        monkeypatch.delenv(var, raising=False)
    return d


@pytest.fixture(scope="session")
def ci_world(tmp_path_factory) -> Path:
    """The ci preset (seed 7) simulated once per session (landing files and ground truth
    only, no pipeline run). Read it, never change it."""
    from simulator import generate

    out = tmp_path_factory.mktemp("sim_ci_7")
    generate("ci", 7, out)
    return out


@pytest.fixture(scope="session")
def ci_city_run(tmp_path_factory) -> tuple[Path, dict]:
    """The ci preset (seed 7) simulated and through `civic pipeline run`: (data directory,
    the run's JSON result). Read it, never change it."""
    data_dir = tmp_path_factory.mktemp("ci_city") / "data"
    civic(data_dir, "simulate", "--preset", "ci", "--seed", "7")
    result = json.loads(civic(data_dir, "pipeline", "run").strip().splitlines()[-1])
    assert result["ingest"]["landed"] > 0
    return data_dir, result


@pytest.fixture(scope="session")
def ci_city(ci_city_run) -> Path:
    return ci_city_run[0]


@pytest.fixture(scope="module")
def ci_city_copy(ci_city, tmp_path_factory) -> Path:
    """A private copy of the built ci city, for the tests of one module that change it."""
    return copy_data_dir(ci_city, tmp_path_factory.mktemp("ci_city_copy") / "data")


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for this session (tests/pg.py), stopped at the end."""
    server, reason = postgres_server_or_reason()
    if server is None:
        pytest.skip(f"PostgreSQL not available: {reason}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def ops_url(request, tmp_path):
    """The SQLAlchemy URL of a new, empty ops database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'ops.sqlite').as_posix()}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield url
    server.drop_database(url)
