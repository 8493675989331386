"""Fixtures for the simulator tests: a few small (ci preset) worlds generated once per session
(``ci_world`` itself is in tests/conftest.py, shared with the routing tests)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
for p in (str(REPO_ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)


@pytest.fixture(scope="session")
def ci_world_again(tmp_path_factory) -> Path:
    from simulator import generate

    out = tmp_path_factory.mktemp("sim_ci_7_again")
    generate("ci", 7, out)
    return out


@pytest.fixture(scope="session")
def ci_world_seed8(tmp_path_factory) -> Path:
    """Generated through the command-line entry point."""
    from simulator import cli_main

    out = tmp_path_factory.mktemp("sim_ci_8")
    assert cli_main(["--preset", "ci", "--seed", "8", "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="session")
def ground(ci_world):
    """Ground-truth ledgers of the seed-7 world."""
    from sim_testkit import read_csv_dicts
    import json

    gt = ci_world / "ground_truth"
    defects = read_csv_dicts(gt / "defects.csv")
    dups = read_csv_dicts(gt / "duplicates.csv")
    return {
        "defects": {(d["file"], int(d["row_number"])): d for d in defects},
        "dups": {(d["file"], int(d["row_number"])): d for d in dups},
        "expected": json.loads((gt / "expected_counts.json").read_text()),
        "world": json.loads((gt / "world.json").read_text()),
    }
