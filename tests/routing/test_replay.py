"""Proof by simulation on the ci world: the plans beat the fixed sweep, learning only
from the days before the replayed ones."""

from __future__ import annotations

import datetime as dt

import pytest

from routing.replay import driven_passes, replay, sweep_stops


@pytest.fixture(scope="module")
def ci_replay(ci_world, ci_sim):
    return replay(ci_world, replay_days=2, time_limit_s=1.0, sim=ci_sim)


def test_no_peeking(ci_replay):
    assert ci_replay["replayed"] == ["2026-10-30", "2026-10-31"]
    assert dt.date.fromisoformat(ci_replay["learned_from"][1]) < dt.date.fromisoformat(ci_replay["replayed"][0])


def test_planner_beats_the_fixed_sweep(ci_replay):
    s = ci_replay["summary"]
    shifts = ci_replay["shifts"]
    # every strategy drove the same shifts for the same hours
    hours = shifts.groupby("strategy")["patrol_hours"].sum()
    assert hours.nunique() == 1 and s["fixed"]["shifts"] == s["pyvrp"]["shifts"] == 4
    assert (shifts["violations_found"] <= shifts["violations_present"]).all()
    assert shifts["coverage"].between(0, 1).all()
    assert s["pyvrp"]["violations_per_patrol_hour"] > s["fixed"]["violations_per_patrol_hour"]
    assert s["nearest"]["violations_per_patrol_hour"] > s["fixed"]["violations_per_patrol_hour"]
    assert ci_replay["gain_vs_fixed"]["pyvrp"] > 0.05


def test_fixed_sweep_keeps_its_order_and_the_shift(ci_sim):
    net = ci_sim.network
    sweep = ci_sim.sweeps["Z01"]
    stops = sweep_stops(net, sweep, sweep[0], 1800.0)
    ids = [b for b, _ in stops]
    n = min(len(ids), len(sweep))
    assert ids[:n] == sweep[:n]
    passes = driven_passes(net, stops, sweep[0], 1800.0)
    assert passes["t_mid"].max() <= 1800.0
    # driving between two sweep stops passes the blockfaces in between
    assert len(passes) >= len(stops)
