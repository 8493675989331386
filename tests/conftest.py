import os
import pytest

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
