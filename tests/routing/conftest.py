"""Fixtures for the routing tests.

``ci_world`` (tests/conftest.py) is the ci preset, seed 7, simulated once per session.
``ci_sim`` loads it for the replay, ``ci_model`` is the yield learned from its first three days.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
for _p in (str(REPO_ROOT), str(HERE)):  # the packages, and street_fixtures
    if _p not in sys.path:
        sys.path.insert(0, _p)

# The ci world runs Tuesday 2026-10-27 .. Saturday 2026-10-31 (America/Toronto).
CI_THURSDAY = dt.date(2026, 10, 29)


@pytest.fixture(scope="session")
def ci_sim(ci_world):
    from routing.replay import load_simulation

    return load_simulation(ci_world)


@pytest.fixture(scope="session")
def ci_model(ci_sim):
    """Expected yield learned from 2026-10-27 .. 2026-10-29."""
    from routing.replay import learn_from_simulation

    return learn_from_simulation(ci_sim, dt.date(2026, 10, 30))
