"""The wards reference source: the ward polygons agree with the assessment roll's wards
(ground truth: the simulator's own ward grid), tile the city and hold every property."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from shapely.geometry import Point, shape

from sim_testkit import read_csv_dicts, read_rows, violations
from data_contracts.sources import SOURCES


@pytest.fixture(scope="module")
def wards(ci_world) -> dict:
    rows = read_rows(ci_world, "wards")
    return {r.record["ward"]: r.record for r in rows}


@pytest.fixture(scope="module")
def world(ground):
    """The seed-7 ci world itself, rebuilt (the simulator is deterministic)."""
    from simulator.presets import PRESETS
    from simulator.timeutil import Clock
    from simulator.world import build_world

    w = ground["world"]
    clock = Clock(dt.date.fromisoformat(w["start_date"]), dt.date.fromisoformat(w["end_date"]))
    return build_world(PRESETS["ci"], 7, clock)


def test_one_valid_polygon_per_assessment_roll_ward(ci_world, wards, ground):
    roll = read_csv_dicts(next((ci_world / "landing" / "assessment_roll").iterdir()))
    assert set(wards) == {r["ward"] for r in roll} == {"Ward 1", "Ward 2"}
    assert ground["world"]["counts"]["wards"] == 2
    assert ground["expected"]["sources"]["wards"]["rows_written"] == 2
    for name, rec in wards.items():
        assert not violations(SOURCES["wards"], rec), name
        assert rec["name"] == name
        g = shape(rec["geometry"])
        assert g.geom_type == "Polygon" and g.is_valid and g.area > 0


def test_wards_tile_the_city_without_overlap(wards, ci_world):
    polys = [shape(r["geometry"]) for r in wards.values()]
    for a, b in itertools.combinations(polys, 2):
        assert a.intersection(b).area == pytest.approx(0, abs=1e-12)
    city = polys[0].union(polys[1])
    zones = [shape(r.record["geometry"]) for r in read_rows(ci_world, "zones")]
    for z in zones:  # the wards reach as far as the zones do
        assert city.buffer(1e-9).covers(z)


def test_every_property_lies_in_the_polygon_of_its_roll_ward(ci_world, wards):
    polys = {name: shape(r["geometry"]) for name, r in wards.items()}
    roll = read_csv_dicts(next((ci_world / "landing" / "assessment_roll").iterdir()))
    assert len(roll) > 100
    for r in roll:
        p = Point(float(r["lon"]), float(r["lat"]))
        assert polys[r["ward"]].contains(p), (r["roll_number"], r["ward"])
        assert not [w for w, g in polys.items() if w != r["ward"] and g.intersects(p)], r["roll_number"]


def test_ward_polygons_are_the_ward_grid_the_roll_is_drawn_from(world, wards):
    """Points across the whole city (beyond the outer streets too) take the grid's ward
    and lie in that ward's polygon."""
    from simulator.world import WARD_MARGIN, to_lonlat, ward_number

    gx0, gx1, gy0, gy1, _, _ = world.ward_grid
    rng = np.random.default_rng(0)
    x = rng.uniform(gx0 - WARD_MARGIN + 1, gx1 + WARD_MARGIN - 1, 2000)
    y = rng.uniform(gy0 - WARD_MARGIN + 1, gy1 + WARD_MARGIN - 1, 2000)
    lon, lat = to_lonlat(x, y)
    polys = {name: shape(r["geometry"]) for name, r in wards.items()}
    for n, lo, la in zip(ward_number(world, x, y).tolist(), lon.tolist(), lat.tolist()):
        assert polys[f"Ward {n}"].covers(Point(lo, la))
    # and the roll's wards are that grid's
    assert (world.props["ward"] == np.array([f"Ward {n}" for n in ward_number(world, *_props_xy(world))])).all()


def _props_xy(world):
    from simulator.world import to_xy

    return to_xy(world.props["lon"], world.props["lat"])
