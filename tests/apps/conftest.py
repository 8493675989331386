"""Shared set-up for the Streamlit app tests.

Puts the repository root (for ``import apps``) and this folder (for
``import snapshot_fixture``) on sys.path whatever pytest's import mode, and
gives each test a clean environment and clean Streamlit caches.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
for p in (str(REPO_ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

from snapshot_fixture import write_snapshot  # noqa: E402

APP_SCRIPT = REPO_ROOT / "apps" / "streamlit_app.py"
PAGES_DIR = REPO_ROOT / "apps" / "app_pages"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No test reads a real ./data: both locations point into tmp_path."""
    monkeypatch.delenv("CIVIC_SERVING_PATH", raising=False)
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path / "no-data-dir"))
    from apps import serving

    serving.clear_caches()
    yield
    serving.clear_caches()


@pytest.fixture
def snapshot_path(tmp_path, monkeypatch) -> Path:
    """A default snapshot, with CIVIC_SERVING_PATH pointing at it."""
    path = write_snapshot(tmp_path / "serving" / "civic_serving.duckdb")
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    return path


@pytest.fixture
def shift_ops_snapshot(tmp_path, monkeypatch) -> Path:
    """The shift-analytics and operations snapshot (shift_ops_snapshot_fixture.py), with
    CIVIC_SERVING_PATH pointing at it."""
    from shift_ops_snapshot_fixture import write_shift_ops_snapshot

    path = write_shift_ops_snapshot(tmp_path / "serving" / "civic_serving.duckdb")
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    return path
