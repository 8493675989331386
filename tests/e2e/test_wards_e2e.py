"""Wards through the whole pipeline (the ci city): the wards land, every blockface takes the
ward the simulator's own ward grid gives its midpoint, and tickets by ward add up."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(ci_city):
    """The simulated world itself, rebuilt from its preset and seed (the simulator is deterministic)."""
    from simulator.presets import PRESETS
    from simulator.timeutil import Clock
    from simulator.world import build_world

    info = json.loads((ci_city / "ground_truth" / "world.json").read_text())
    clock = Clock(dt.date.fromisoformat(info["start_date"]), dt.date.fromisoformat(info["end_date"]))
    return build_world(PRESETS[info["preset"]], info["seed"], clock)


@pytest.fixture(scope="module")
def sim_ward(world) -> dict[str, str]:
    """blockface_id -> the simulator's ward of the blockface's midpoint."""
    from simulator.world import ward_number

    bf = world.bf
    n = ward_number(world, (bf["x0"] + bf["x1"]) / 2, (bf["y0"] + bf["y1"]) / 2)
    return dict(zip(bf["id"].tolist(), [f"Ward {k}" for k in n.tolist()]))


@pytest.fixture
def snap(ci_city):
    con = duckdb.connect(str(ci_city / "serving" / "civic_serving.duckdb"), read_only=True)
    yield con
    con.close()


def test_wards_land_and_dim_wards_is_the_grid(ci_city, world, snap):
    from simulator.world import ward_cells

    rows = snap.execute("SELECT ward, ward_name, area_km2, blockfaces, spaces, is_unknown, geometry_wkt "
                        "FROM marts.dim_wards ORDER BY ward").fetchall()
    assert [r[0] for r in rows] == ["Ward 1", "Ward 2", "unknown"]
    cells = {f"Ward {n}": (x1 - x0) * (y1 - y0) / 1e6 for n, x0, x1, y0, y1 in ward_cells(world)}
    for ward, name, area, _, _, unknown, wkt in rows[:2]:
        assert name == ward and not unknown and wkt.startswith("POLYGON")
        # the simulator's flat-earth metres vs WGS84: within a few tenths of a percent
        assert area == pytest.approx(cells[ward], rel=5e-3)
    assert rows[2][2:6] == (None, 0, 0, True)  # every ci blockface is in a ward
    total_bf, total_spaces = snap.execute("SELECT count(*), sum(spaces) FROM marts.dim_blockfaces WHERE NOT is_unknown").fetchone()
    assert sum(r[3] for r in rows) == total_bf == world.n_bf
    assert sum(r[4] for r in rows) == total_spaces == int(world.bf["spaces"].sum())


def test_dim_blockfaces_ward_agrees_with_the_simulators_ward_grid(snap, sim_ward):
    got = dict(snap.execute("SELECT blockface_id, ward FROM marts.dim_blockfaces WHERE NOT is_unknown").fetchall())
    assert got.keys() == sim_ward.keys()
    wrong = {b: (got[b], sim_ward[b]) for b in got if got[b] != sim_ward[b]}
    assert not wrong
    assert set(got.values()) == {"Ward 1", "Ward 2"}
    assert snap.execute("SELECT ward FROM marts.dim_blockfaces WHERE is_unknown").fetchall() == [("unknown",)]


def test_tickets_by_ward_reconcile(ci_city, snap, sim_ward):
    by_ward = dict(snap.execute("SELECT ward, count(*) FROM marts.fct_tickets GROUP BY ward").fetchall())
    total = snap.execute("SELECT count(*) FROM marts.fct_tickets").fetchone()[0]
    assert sum(by_ward.values()) == total and None not in by_ward
    # against the ground truth: the ward of the blockface each ticket's car was parked on
    # (tickets whose extract names no blockface have ward 'unknown')
    gt = ci_city / "ground_truth"
    truth = pd.read_parquet(gt / "tickets_truth.parquet", columns=["ticket_number", "episode_id"]).merge(
        pd.read_parquet(gt / "parking_episodes.parquet", columns=["episode_id", "blockface_id"]), on="episode_id")
    truth_ward = dict(zip(truth["ticket_number"], truth["blockface_id"].map(sim_ward)))
    tickets = snap.execute("SELECT ticket_number, blockface_id, ward FROM marts.fct_tickets WHERE source_system = 'handheld'").fetchall()
    assert len(tickets) == total
    expected = Counter("unknown" if bf is None else truth_ward[t] for t, bf, _ in tickets)
    assert by_ward == dict(expected)
    assert all(w == ("unknown" if bf is None else truth_ward[t]) for t, bf, w in tickets)
    assert by_ward.get("Ward 1", 0) > 0 and by_ward.get("Ward 2", 0) > 0


def test_no_ward_polygon_was_quarantined(ci_city):
    rows = json.loads((ci_city / "ground_truth" / "expected_counts.json").read_text())["sources"]["wards"]
    con = duckdb.connect()
    landed = con.execute(f"SELECT count(*) FROM read_parquet('{ci_city}/lake/wards/*/*.parquet', hive_partitioning=false)").fetchone()[0]
    assert landed == rows["rows_written"] == 2
    assert not list((ci_city / "lake" / "_quarantine").glob("wards/*.parquet"))
