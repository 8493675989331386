"""Wards: point in polygon (int_blockfaces_warded), ward areas (int_wards_measured), and the
ward columns of dim_wards, dim_blockfaces and fct_tickets, on hand-made inputs.

The polygons are not rectangles: Ward 2 is an L (a notch cut out of its north-east corner),
Ward 3 a MultiPolygon of two squares, and Ward 10 shares an edge with Ward 2.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

import helpers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_fixture import REPO_ROOT, build_golden_warehouse, fetch, insert_rows  # noqa: E402

MODELS = REPO_ROOT / "dbt_project" / "models" / "intermediate"

WARD_2_L = "POLYGON ((-80.50 43.45, -80.48 43.45, -80.48 43.46, -80.49 43.46, -80.49 43.47, -80.50 43.47, -80.50 43.45))"
WARD_10 = "POLYGON ((-80.48 43.45, -80.47 43.45, -80.47 43.47, -80.48 43.47, -80.48 43.45))"
WARD_3_MULTI = ("MULTIPOLYGON (((-80.46 43.45, -80.45 43.45, -80.45 43.46, -80.46 43.46, -80.46 43.45)), "
                "((-80.44 43.45, -80.43 43.45, -80.43 43.46, -80.44 43.46, -80.44 43.45)))")
WARDS = [("Ward 10", WARD_10), ("Ward 2", WARD_2_L), ("Ward 3", WARD_3_MULTI)]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, MODELS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def warded():
    return _load("int_blockfaces_warded")


# ---- the point in polygon itself ------------------------------------------------------------
@pytest.mark.parametrize("point, ward", [
    ((-80.495, 43.465), "Ward 2"),    # the L's upper arm
    ((-80.485, 43.455), "Ward 2"),    # the L's lower arm, east end
    ((-80.485, 43.465), "unknown"),   # the notch: inside Ward 2's bounding box, outside the L
    ((-80.475, 43.465), "Ward 10"),
    ((-80.455, 43.455), "Ward 3"),    # first part of the MultiPolygon
    ((-80.435, 43.455), "Ward 3"),    # second part
    ((-80.445, 43.455), "unknown"),   # between the parts
    ((-80.60, 43.30), "unknown"),     # far outside
    ((-80.48, 43.455), "Ward 2"),     # on the edge Ward 2 shares with Ward 10: natural order, 2 before 10
    ((-80.48 + 5e-8, 43.455), "Ward 2"),  # within the ~1 cm boundary tolerance
    ((-80.48 + 1e-6, 43.455), "Ward 10"),  # ~8 cm inside Ward 10
    (None, "unknown"),
    ((float("nan"), 43.455), "unknown"),
])
def test_point_in_polygon(warded, point, ward):
    assert warded.assign_wards([point], WARDS) == [ward]


def test_no_wards_means_every_point_is_unknown(warded):
    assert warded.assign_wards([(-80.495, 43.465), (-80.485, 43.455)], []) == ["unknown", "unknown"]


def test_unusable_ward_rows_are_ignored(warded):
    wards = [("unknown", WARD_10), (None, WARD_2_L), ("Ward 5", "not wkt"), ("Ward 6", "POINT (-80.495 43.465)"),
             ("Ward 7", "POLYGON EMPTY"), ("Ward 8", WARD_2_L)]
    assert warded.assign_wards([(-80.475, 43.465), (-80.495, 43.465)], wards) == ["unknown", "Ward 8"]


def test_natural_order(warded):
    assert sorted(["Ward 10", "Ward 2", "Ward 1", "ward 3"], key=warded.natural_key) == ["Ward 1", "Ward 2", "ward 3", "Ward 10"]


def test_midpoint_is_half_way_along_the_line(warded):
    bent = "LINESTRING (-80.50 43.45, -80.48 43.45, -80.48 43.47)"  # 2 + 2 (degrees) long: half-way is the corner
    mids = warded.midpoints([bent, "LINESTRING EMPTY", None, None], [None, -80.495, -80.49, None], [None, 43.465, None, None])
    assert mids[0] == pytest.approx((-80.48, 43.45))
    assert mids[1] == pytest.approx((-80.495, 43.465))  # empty geometry: the landed centroid
    assert mids[2] is None and mids[3] is None


def test_ward_area_km2():
    from pyproj import Geod
    from shapely import wkt

    measured = _load("int_wards_measured")
    geod = Geod(ellps="WGS84")
    for _, text in WARDS:
        expected = abs(geod.geometry_area_perimeter(wkt.loads(text))[0]) / 1e6
        assert measured.area_km2(text) == pytest.approx(expected, rel=1e-3)
    assert measured.area_km2(WARD_10) == pytest.approx(0.01 * 80.8 * 0.02 * 111.1, rel=0.01)  # ~1.8 km²
    assert measured.area_km2(None) is None and measured.area_km2("POLYGON EMPTY") is None


# ---- the marts ------------------------------------------------------------------------------
UTC = timezone.utc


def L(day: str, row: int = 1) -> dict:
    return {"_batch_id": "b1", "_source_file": f"x_{day}", "_row_number": row, "_delivered_on": date.fromisoformat(day),
            "_landed_at": datetime.fromisoformat(f"{day}T23:00:00+00:00")}


def _line(lon: float, lat: float) -> str:
    return f"LINESTRING ({lon - 0.001} {lat}, {lon + 0.001} {lat})"


BLOCKFACES = [  # id, midpoint, spaces, expected ward
    ("BF1", (-80.495, 43.465), 10, "Ward 2"),
    ("BF2", (-80.485, 43.465), 7, "unknown"),   # in the notch
    ("BF3", (-80.48, 43.455), 5, "Ward 2"),     # on the shared edge
    ("BF4", (-80.475, 43.465), 8, "Ward 10"),
    ("BF5", (-80.435, 43.455), 4, "Ward 3"),
]


def _fill(con, with_wards: bool) -> None:
    if with_wards:
        insert_rows(con, "wards", [
            {"ward": w, "name": None if w == "Ward 3" else f"{w} - name", "geometry": g, "_centroid_lat": 43.46,
             "_centroid_lon": -80.48, **L("2025-06-01", row=i)} for i, (w, g) in enumerate(WARDS, start=1)])
    rows = [{"blockface_id": b, "zone_id": "Z1", "street": "King St", "side": "N", "spaces": s, "paid": False,
             "geometry": _line(*mid), "_centroid_lat": mid[1], "_centroid_lon": mid[0], **L("2025-06-01", row=i)}
            for i, (b, mid, s, _) in enumerate(BLOCKFACES, start=1)]
    # no readable geometry: the landed centroid is the midpoint
    rows.append({"blockface_id": "BF6", "zone_id": "Z1", "street": "Queen St", "side": "S", "spaces": 3, "paid": False,
                 "geometry": "LINESTRING EMPTY", "_centroid_lat": 43.455, "_centroid_lon": -80.495, **L("2025-06-01", row=9)})
    insert_rows(con, "blockfaces", rows)
    insert_rows(con, "zones", [{"zone_id": "Z1", "name": "Downtown", "geometry": "POLYGON EMPTY",
                                "_centroid_lat": 43.45, "_centroid_lon": -80.49, **L("2025-06-01")}])
    base = {"issued_at": datetime(2025, 6, 2, 15, tzinfo=UTC), "officer_id": "O1", "bylaw_code": "PK-1",
            "violation_type": "overtime", "fine_amount": 30.0, "plate": "ABC 123", "province": "ON", "lat": 43.46,
            "lon": -80.49, "street_address": "1 King St", "issue_method": "windshield", "detection_source": "manual"}
    insert_rows(con, "handheld_tickets", [
        {**base, "ticket_number": "T1", "blockface_id": "BF1", **L("2025-06-02", 1)},
        {**base, "ticket_number": "T2", "blockface_id": "BF1", **L("2025-06-02", 2)},
        {**base, "ticket_number": "T3", "blockface_id": "BF4", **L("2025-06-02", 3)},
        {**base, "ticket_number": "T4", "blockface_id": "BF2", **L("2025-06-02", 4)},   # blockface in no ward
        {**base, "ticket_number": "T5", **L("2025-06-02", 5)},                          # no blockface
        {**base, "ticket_number": "T6", "blockface_id": "BF99", **L("2025-06-02", 6)},  # a blockface the GIS does not know
    ])
    insert_rows(con, "toronto_tickets", [
        {"Tag": "***1234", "Issue_Date": date(2025, 6, 3), "Code": 29, "Description": "PARK PROHIBITED TIME NO PERMIT",
         "Fine Amount": 30.0, "Issue Time": "08:15", "Address": "100 QUEEN ST W", "Province": "ON",
         "_batch_id": "tor", "_source_file": "Parking_Tags_Data_2025.csv", "_row_number": 1,
         "_delivered_on": date(2025, 6, 4), "_landed_at": datetime(2025, 6, 4, 12, tzinfo=UTC)}])


SELECT = ["--select", "+dim_wards", "+dim_blockfaces", "+fct_tickets", "--exclude-resource-type", "unit_test",
          "--indirect-selection", "cautious"]  # tests only when all their parents are built


def _build(tmp_path_factory, name: str, with_wards: bool) -> Path:
    work = tmp_path_factory.mktemp(name)
    return build_golden_warehouse(work, lambda con: _fill(con, with_wards),
                                  lambda wh, w, *a: helpers.run_dbt(wh, w, *a, salt="pytest-salt"), "build", *SELECT)


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    return _build(tmp_path_factory, "dbt_wards", True)


def test_dim_wards(golden):
    rows = {r["ward"]: r for r in fetch(golden, "SELECT * FROM marts.dim_wards")}
    assert list(sorted(rows)) == ["Ward 10", "Ward 2", "Ward 3", "unknown"]
    assert rows["Ward 2"]["ward_name"] == "Ward 2 - name" and rows["Ward 3"]["ward_name"] == "Ward 3"
    assert {w: (r["blockfaces"], r["spaces"]) for w, r in rows.items()} == {
        "Ward 2": (3, 18), "Ward 10": (1, 8), "Ward 3": (1, 4), "unknown": (1, 7)}
    assert rows["Ward 2"]["area_km2"] == pytest.approx(3 * 0.01 * 0.01 * 80.7 * 111.1, rel=0.01)  # 3 of 4 squares
    assert rows["Ward 3"]["geometry_wkt"].startswith("MULTIPOLYGON")
    assert rows["unknown"]["is_unknown"] and rows["unknown"]["geometry_wkt"] is None and rows["unknown"]["area_km2"] is None
    assert not any(r["is_unknown"] for w, r in rows.items() if w != "unknown")


def test_dim_blockfaces_ward(golden):
    got = {r["blockface_id"]: r["ward"] for r in fetch(golden, "SELECT blockface_id, ward FROM marts.dim_blockfaces")}
    assert got == {**{b: w for b, _, _, w in BLOCKFACES}, "BF6": "Ward 2", "-1": "unknown"}


def test_fct_tickets_ward(golden):
    got = {r["ticket_number"] or r["source_system"]: r["ward"]
           for r in fetch(golden, "SELECT ticket_number, source_system, ward FROM marts.fct_tickets")}
    assert got == {"T1": "Ward 2", "T2": "Ward 2", "T3": "Ward 10", "T4": "unknown", "T5": "unknown", "T6": "unknown",
                   "toronto_legacy": "unknown"}
    by_ward = fetch(golden, "SELECT ward, count(*) AS n FROM marts.fct_tickets GROUP BY ward")
    assert sum(r["n"] for r in by_ward) == fetch(golden, "SELECT count(*) AS n FROM marts.fct_tickets")[0]["n"] == 7


def test_a_city_without_wards_builds(tmp_path_factory):
    wh = _build(tmp_path_factory, "dbt_no_wards", False)
    assert fetch(wh, "SELECT ward, blockfaces, spaces, is_unknown FROM marts.dim_wards") == [
        {"ward": "unknown", "blockfaces": 6, "spaces": 37, "is_unknown": True}]
    assert {r["ward"] for r in fetch(wh, "SELECT ward FROM marts.dim_blockfaces")} == {"unknown"}
    assert {r["ward"] for r in fetch(wh, "SELECT ward FROM marts.fct_tickets")} == {"unknown"}
