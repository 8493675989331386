"""Expected yield: Gamma-Poisson shrinkage on a known input, and on the simulated city."""

from __future__ import annotations

import pandas as pd
import pytest

from routing.expected_yield import learn_expected_yield, posterior, posterior_interval, yield_model_from_rates

MONDAY_9 = pd.Timestamp("2026-10-26 09:30", tz="America/Toronto")  # a Monday


def _known_history():
    """B1 and B2 in zone Z: ten passes each on Monday at 9, ten violations on B1, none on B2."""
    passes = pd.DataFrame({"blockface_id": ["B1"] * 10 + ["B2"] * 10, "timestamp": [MONDAY_9] * 20})
    violations = pd.DataFrame({"blockface_id": ["B1"] * 10, "timestamp": [MONDAY_9] * 10, "fine": [30.0] * 10,
                               "vehicle": [f"P{i}" for i in range(10)]})
    blockfaces = pd.DataFrame({"blockface_id": ["B1", "B2"], "zone_id": ["Z", "Z"]})
    return passes, violations, blockfaces


def test_shrinkage_matches_the_hand_computation():
    passes, violations, blockfaces = _known_history()
    m = learn_expected_yield(passes, violations, blockfaces, prior_passes=4)
    # by hand, k = 4: city (10 + .5) / (20 + 1) = .5; zone, zone x hour, zone x slot: (4*.5 + 10) / 24 = .5
    # B1's level (4*1 + 10/.5) / 14 = 24/14; blockface x hour prior .5 * 24/14
    level = 24 / 14
    r_bh = (4 * 0.5 * level + 10) / 14
    r_bs = (4 * r_bh + 10) / 14
    assert m.rate(["B1"], 0, 9)[0] == pytest.approx(r_bs, rel=1e-9)
    # the raw rate is 1.0 per pass: shrunk towards the zone, not past it
    assert 0.5 < m.rate(["B1"], 0, 9)[0] < 1.0
    # B2 saw nothing: shrunk up from 0, and below B1
    assert 0.0 < m.rate(["B2"], 0, 9)[0] < m.rate(["B1"], 0, 9)[0]
    # a slot never patrolled keeps its prior: Tuesday 9 = B1 x hour 9; 14:00 = zone hour x level
    assert m.rate(["B1"], 1, 9)[0] == pytest.approx(r_bh, rel=1e-9)
    assert m.rate(["B1"], 0, 14)[0] == pytest.approx(0.5 * level, rel=1e-9)
    # revenue = rate x fine (all fines 30 $)
    assert m.revenue(["B1"], 0, 9)[0] == pytest.approx(30 * r_bs, rel=1e-9)
    # an unknown blockface yields nothing
    assert m.rate(["B9"], 0, 9)[0] == 0.0


def test_interval_narrows_with_data():
    passes, violations, blockfaces = _known_history()
    t = learn_expected_yield(passes, violations, blockfaces, prior_passes=4, interval=0.8).table.set_index(
        ["blockface_id", "weekday", "hour"])
    seen, unseen = t.loc[("B1", 0, 9)], t.loc[("B1", 1, 9)]
    for row in (seen, unseen):
        assert row["rate_lo"] < row["rate"] < row["rate_hi"]
    assert (seen["rate_hi"] - seen["rate_lo"]) / seen["rate"] < (unseen["rate_hi"] - unseen["rate_lo"]) / unseen["rate"]
    lo, hi = posterior_interval(0.5, 4, 10, 10, 0.8)
    assert lo < posterior(0.5, 4, 10, 10) < hi


def test_repeat_reads_of_one_car_in_an_hour_count_once():
    passes, violations, blockfaces = _known_history()
    doubled = pd.concat([violations, violations])  # every car read twice
    a = learn_expected_yield(passes, violations, blockfaces, prior_passes=4)
    b = learn_expected_yield(passes, doubled, blockfaces, prior_passes=4)
    assert a.rate(["B1"], 0, 9)[0] == pytest.approx(b.rate(["B1"], 0, 9)[0])


def test_missing_columns_are_named():
    passes, violations, blockfaces = _known_history()
    with pytest.raises(ValueError, match="violations lacks column.*fine"):
        learn_expected_yield(passes, violations.drop(columns=["fine"]), blockfaces)
    with pytest.raises(ValueError, match="passes lacks column.*timestamp"):
        learn_expected_yield(passes.drop(columns=["timestamp"]), violations, blockfaces)


def test_learned_on_the_simulated_city(ci_model, ci_sim):
    t = ci_model.table
    assert len(t) == 62 * 168
    assert (t["rate_lo"] <= t["rate"] + 1e-12).all() and (t["rate_lo"] < t["rate_hi"]).all()
    # a near-zero rate's Gamma is so skewed that its mean can pass the 90% quantile
    material = t["rate"] >= 0.05
    assert (t.loc[material, "rate"] <= t.loc[material, "rate_hi"]).all()
    bf = ci_sim.network.blockfaces.set_index("blockface_id")
    wk_day = t[(t["weekday"] < 5) & t["hour"].between(10, 16)].groupby("blockface_id")["rate"].mean()
    # paid kerbs in the day yield more than free kerbs without any overlay
    free = bf.index[~bf["paid"] & ~bf["permit"] & ~bf["time_limited"] & ~bf["rush_hour_route"] & ~bf["school_zone"]]
    assert wk_day[bf.index[bf["paid"]]].mean() > wk_day[free].mean()


def test_rates_given_by_hand():
    m = yield_model_from_rates(pd.DataFrame({"blockface_id": ["A", "B"], "rate": [2.0, 0.5]}), fine=50.0)
    assert m.rate(["A", "B"], 3, 12).tolist() == [2.0, 0.5]
    assert m.revenue(["A"], 6, 0)[0] == 100.0


def test_dwell_from_repeat_sightings():
    """Passes at 9 and 10: A B C D in violation at 9, A B E F at 10: half are still there an
    hour later, so exp(-1 h / D) = 1/2 and D = 60 / ln 2 minutes."""
    import math

    from routing.expected_yield import estimate_dwell_minutes

    t9, t10 = MONDAY_9, MONDAY_9 + pd.Timedelta(hours=1)
    passes = pd.DataFrame({"blockface_id": ["B1", "B1"], "timestamp": [t9, t10]})
    violations = pd.DataFrame({"blockface_id": ["B1"] * 8, "timestamp": [t9] * 4 + [t10] * 4, "fine": 30.0,
                               "vehicle": list("ABCD") + list("ABEF")})
    assert estimate_dwell_minutes(passes, violations) == pytest.approx(60 / math.log(2), rel=1e-6)
    assert estimate_dwell_minutes(passes, violations.drop(columns=["vehicle"])) is None


def test_history_from_the_marts(ci_sim):
    """history_from_warehouse's queries on tables shaped like the published marts (the mart
    columns it maps), filled from the simulated history."""
    import datetime as dt

    import duckdb

    from routing.expected_yield import history_from_warehouse
    from routing.replay import history_from_simulation

    h = history_from_simulation(ci_sim, dt.date(2026, 10, 30))
    con = duckdb.connect()
    con.execute("create schema marts")
    occ = h["passes"].rename(columns={"timestamp": "hour_start"}).assign(zone_id="Z", reads=1)
    hits = h["violations"].rename(columns={"timestamp": "captured_at", "fine": "fine_amount", "vehicle": "plate_pseudonym"})
    tk = h["tickets"].rename(columns={"timestamp": "issued_at", "fine": "fine_amount"})
    for name, df in (("fct_occupancy_hourly", occ), ("fct_alpr_hits", hits), ("fct_tickets", tk)):
        con.register("df", df)
        con.execute(f"create table marts.{name} as select * from df")
        con.unregister("df")
    got = history_from_warehouse(con, since="2026-10-28T00:00:00-04:00", until="2026-10-30T00:00:00-04:00")
    assert len(got["passes"]) and len(got["violations"]) and len(got["tickets"])
    assert set(got["violations"].columns) == {"blockface_id", "timestamp", "fine", "vehicle"}
    ts = pd.to_datetime(got["passes"]["timestamp"], utc=True)
    assert ts.min() >= pd.Timestamp("2026-10-28T04:00Z") and ts.max() < pd.Timestamp("2026-10-30T04:00Z")
    m = learn_expected_yield(got["passes"], got["violations"], ci_sim.network.blockfaces, got["tickets"])
    assert m.table["rate"].gt(0).all()
