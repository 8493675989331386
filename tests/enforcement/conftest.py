"""Fixtures for tests/enforcement: this folder on sys.path (golden_cases), and one ci city
simulated and run through the whole pipeline once per session (slow tests only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


def civic(data_dir: Path, *args: str, timeout: int = 1200) -> str:
    env = dict(os.environ, CIVIC_DATA_DIR=str(data_dir), DO_NOT_TRACK="1")
    for var in ("CIVIC_WAREHOUSE_PATH", "CIVIC_SERVING_PATH", "DAGSTER_HOME"):
        env.pop(var, None)
    out = subprocess.run([sys.executable, "-m", "civic.cli", *args], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, out.stderr[-5000:]
    return out.stdout


@pytest.fixture(scope="session")
def ci_city(tmp_path_factory) -> Path:
    """The ci preset (seed 7) simulated and through `civic pipeline run`: the data directory."""
    data_dir = tmp_path_factory.mktemp("enforcement_ci") / "data"
    civic(data_dir, "simulate", "--preset", "ci", "--seed", "7")
    result = json.loads(civic(data_dir, "pipeline", "run").strip().splitlines()[-1])
    assert result["ingest"]["landed"] > 0
    return data_dir
