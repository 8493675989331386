"""The simulator's side of hit detection: per-read violation truth, kerb positions of the
restricted spots, plates on pay-by-plate meter payments (ci preset, generated here)."""

from __future__ import annotations

import csv
import json
import math

import pandas as pd
import pytest
from shapely.geometry import Point, shape


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from simulator import generate

    out = tmp_path_factory.mktemp("sim_truth")
    generate("ci", 7, out)
    return out


def _kerb(feature):
    """(projector of a lon/lat onto metres along the blockface, properties)."""
    k = 111_320 * math.cos(math.radians(43.45))
    coords = shape(feature["geometry"]).coords
    from shapely.geometry import LineString

    line = LineString([(x * k, y * 111_132) for x, y in coords])
    return (lambda lon, lat: line.project(Point(lon * k, lat * 111_132))), feature["properties"]


def test_reads_truth_says_what_each_read_shows(world):
    t = pd.read_parquet(world / "ground_truth" / "reads_truth.parquet")
    assert {"in_violation", "violation_type", "violation_types"} <= set(t.columns)
    assert (t["in_violation"] == t["violation_type"].notna()).all()
    v = t[t["in_violation"]]
    assert all(p in types.split(",") for p, types in zip(v["violation_type"], v["violation_types"]))
    assert 0.05 < t["in_violation"].mean() < 0.4
    counts = t["violation_type"].value_counts()
    assert {"meter_unpaid", "no_permit", "overtime", "accessible"} <= set(counts.index)


def test_restricted_spots_are_where_the_extract_says(world):
    (bf_file,) = (world / "landing" / "blockfaces").iterdir()
    kerb = {f["properties"]["blockface_id"]: _kerb(f) for f in json.loads(bf_file.read_text())["features"]}
    truth = pd.read_parquet(world / "ground_truth" / "reads_truth.parquet")
    eps = pd.read_parquet(world / "ground_truth" / "parking_episodes.parquet")[["episode_id", "blockface_id"]]
    recs = []
    for f in sorted((world / "landing" / "alpr_reads").iterdir()):
        for line in f.read_text().splitlines():
            try:
                recs.append(json.loads(line))
            except ValueError:  # a deliberately malformed line (defects.csv)
                pass
    reads = pd.DataFrame(recs)
    m = reads.merge(truth, on="read_id").merge(eps, on="episode_id")
    checked = 0
    for _, r in m[m["violation_type"].isin(["hydrant", "accessible", "no_stopping", "no_parking"])].iterrows():
        along, p = kerb[r["blockface_id"]]
        s = along(float(r["lon"]), float(r["lat"]))
        if r["violation_type"] == "hydrant":
            assert abs(s - p["hydrant_at_m"]) <= 6.0
        else:
            key = {"accessible": "accessible", "no_stopping": "no_stopping", "no_parking": "no_parking"}[r["violation_type"]]
            assert p[f"{key}_from_m"] - 3 <= s <= p[f"{key}_to_m"] + 3
        checked += 1
    assert checked > 20
    # ordinary parkers keep clear of hydrants
    clear = 0
    for _, r in m[~m["in_violation"]].iterrows():
        along, p = kerb[r["blockface_id"]]
        if p["hydrant_at_m"] != "":
            clear += abs(along(float(r["lon"]), float(r["lat"])) - p["hydrant_at_m"]) > 6.0
            checked += 1
    assert clear > 0


def test_pay_by_plate_meter_payments_carry_the_plate(world):
    defects = {(d["file"], int(d["row_number"])) for d in csv.DictReader(open(world / "ground_truth" / "defects.csv"))}
    rows = [r for f in sorted((world / "landing" / "meter_events").iterdir())
            for n, r in enumerate(csv.DictReader(open(f)), start=1) if (f.name, n) not in defects]
    pays = [r for r in rows if r["event_type"].startswith("payment_")]
    assert pays and all(r["plate"] for r in pays)
    assert not any(r["plate"] for r in rows if not r["event_type"].startswith("payment_"))
