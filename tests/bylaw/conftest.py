"""Fixtures for the bylaw ops tests: the ci city's landing files (simulated once per
session, never run through the pipeline: reference data comes from landing through the
contracts), and a fresh ops database per test: each test that takes ``db`` runs twice, on
SQLite and on PostgreSQL (``ops_url`` in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bylaw.properties import load_reference
from bylaw.roles import User, create_user
from warehouse.ops import OpsDB

NOW = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="session")
def sim_dir(ci_world) -> Path:
    """The session's ci world (tests/conftest.py); the bylaw tests only read its landing files."""
    return ci_world


@pytest.fixture(scope="session")
def reference(sim_dir):
    return load_reference(sim_dir)


@pytest.fixture
def db(ops_url, monkeypatch):
    monkeypatch.delenv("CIVIC_OPS_DB_URL", raising=False)
    d = OpsDB(ops_url)
    yield d
    d.dispose()


@pytest.fixture
def staff(db) -> dict[str, User]:
    """One user per role (the officer is BY-202 of the roster)."""
    return {role: create_user(db, role, role.title(), role, f"{role}-password",
                              officer_id="BY-202" if role == "officer" else None)
            for role in ("clerk", "officer", "supervisor", "analyst", "council_viewer")}
