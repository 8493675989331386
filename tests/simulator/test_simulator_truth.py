"""Ground truth and referential integrity of the simulated world."""

from __future__ import annotations

import collections
import math

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, shape

from data_contracts.sources import SOURCES
from sim_testkit import KITCHENER_BBOX, SIMULATED_SOURCES, read_rows, to_utc


@pytest.fixture(scope="module")
def valid(ci_world, ground):
    def load(s):
        return [r.record for r in read_rows(ci_world, s)
                if (r.file, r.row_number) not in ground["defects"] and (r.file, r.row_number) not in ground["dups"]]
    return {s: load(s) for s in SIMULATED_SOURCES}


@pytest.fixture(scope="module")
def episodes(ci_world):
    return pd.read_parquet(ci_world / "ground_truth" / "parking_episodes.parquet")


@pytest.fixture(scope="module")
def reads_truth(ci_world):
    return pd.read_parquet(ci_world / "ground_truth" / "reads_truth.parquet")


def test_ticket_lifecycle_references(valid):
    tickets = {t["ticket_number"]: t for t in valid["handheld_tickets"]}
    for p in valid["ticket_payments"]:
        assert p["ticket_number"] in tickets
        assert to_utc(SOURCES["ticket_payments"], p["paid_at"]) > to_utc(SOURCES["handheld_tickets"], tickets[p["ticket_number"]]["issued_at"])
    disputes = {d["dispute_id"]: d for d in valid["ticket_disputes"]}
    for d in disputes.values():
        assert d["ticket_number"] in tickets
    assert valid["dispute_decisions"], "the ci world should decide some disputes"
    for dec in valid["dispute_decisions"]:
        assert dec["dispute_id"] in disputes
        assert disputes[dec["dispute_id"]]["ticket_number"] == dec["ticket_number"]
        if dec["outcome"] == "reduced":
            assert 0 < float(dec["new_amount"]) < float(tickets[dec["ticket_number"]]["fine_amount"])
    # never pay more than the fine
    paid = collections.defaultdict(float)
    for p in valid["ticket_payments"]:
        paid[p["ticket_number"]] += float(p["amount"])
    for tn, amount in paid.items():
        assert amount <= float(tickets[tn]["fine_amount"]) + 1e-9


def test_bylaw_references(valid):
    cases = {c["case_id"] for c in valid["bylaw_cases"]}
    assert valid["inspections"] and valid["notices"]
    for i in valid["inspections"]:
        assert i["case_id"] in cases
    for n in valid["notices"]:
        assert n["case_id"] in cases
        if n["notice_type"] in ("compliance_notice", "order_to_comply"):
            assert n["compliance_deadline"]
    refs = {"open311": {r["service_request_id"] for r in valid["open311_requests"]},
            "calls_311": {r["call_id"] for r in valid["calls_311"]}}
    rolls = {r["roll_number"] for r in valid["assessment_roll"]}
    officers = {o["officer_id"] for o in valid["officers"]}
    for c in valid["bylaw_cases"]:
        if c["complaint_source"] == "proactive":
            assert c["complaint_ref"] == ""
        else:
            assert c["complaint_ref"] in refs[c["complaint_source"]]
        if c["roll_number"]:
            assert c["roll_number"] in rolls
        assert c["assigned_officer_id"] in officers
        if c["status"] == "closed":
            assert c["closed_at"] and c["outcome"]
        else:
            assert not c["closed_at"] and not c["outcome"]
    # a case delivered twice: open first, closed later
    by_case = collections.defaultdict(list)
    for c in valid["bylaw_cases"]:
        by_case[c["case_id"]].append(c["status"])
    assert all(v in (["open"], ["closed"], ["open", "closed"]) for v in by_case.values())


def test_parking_references(valid):
    bfs = {b["blockface_id"]: b for b in valid["blockfaces"]}
    zones = {z["zone_id"] for z in valid["zones"]}
    meters = {m["meter_id"]: m for m in valid["meters"]}
    officers = {o["officer_id"] for o in valid["officers"]}
    areas = {a["permit_area_id"] for a in valid["permit_areas"]}
    schools = {s["school_zone_id"] for s in valid["school_zones"]}
    for b in bfs.values():
        assert b["zone_id"] in zones
        assert b["permit_area_id"] in areas | {""}
        assert b["school_zone_id"] in schools | {""}
    for m in meters.values():
        assert bfs[m["blockface_id"]]["paid"] is True
    for e in valid["meter_events"]:
        assert e["meter_id"] in meters
    for t in valid["handheld_tickets"]:
        assert t["officer_id"] in officers
        assert t["blockface_id"] in set(bfs) | {""}
        assert t["zone_id"] in zones | {""}
    for r in valid["alpr_reads"]:
        assert r["officer_id"] in officers
    for s in valid["shifts"]:
        assert s["officer_id"] in officers
    for p in valid["permits"]:
        assert p["permit_area_id"] in areas | {"CITYWIDE"}
    for s in valid["pbp_vendor_a_sessions"]:
        assert s["zone_code"] in zones
    for s in valid["pbp_vendor_b_sessions"]:
        assert s["locationNumber"] in zones


def test_geojson_is_valid_wgs84_in_kitchener(valid):
    lon0, lat0, lon1, lat1 = KITCHENER_BBOX
    for s in ("zones", "blockfaces", "permit_areas", "school_zones", "wards"):
        assert valid[s]
        for rec in valid[s]:
            g = shape(rec["geometry"])
            assert g.is_valid and not g.is_empty
            minx, miny, maxx, maxy = g.bounds
            assert lon0 <= minx <= maxx <= lon1 and lat0 <= miny <= maxy <= lat1, (s, g.bounds)
    assert {shape(r["geometry"]).geom_type for r in valid["blockfaces"]} == {"LineString"}
    assert {shape(r["geometry"]).geom_type for r in valid["zones"]} == {"Polygon"}
    # every blockface lies in its zone
    zones = {z["zone_id"]: shape(z["geometry"]) for z in valid["zones"]}
    for b in valid["blockfaces"]:
        assert zones[b["zone_id"]].contains(shape(b["geometry"]).centroid)
    for s in ("alpr_reads", "handheld_tickets", "assessment_roll", "meters"):
        for rec in valid[s]:
            assert lat0 < float(rec["lat"]) < lat1 and lon0 < float(rec["lon"]) < lon1


def _metres(lon, lat, g):
    k = 111_320 * math.cos(math.radians(43.45))
    p = Point(lon * k, lat * 111_132)
    coords = np.asarray(g.coords)
    from shapely.geometry import LineString

    line = LineString(np.c_[coords[:, 0] * k, coords[:, 1] * 111_132])
    return line.distance(p)


def test_reads_are_near_their_blockface(valid, episodes, reads_truth):
    bfs = {b["blockface_id"]: shape(b["geometry"]) for b in valid["blockfaces"]}
    ep = episodes.set_index("episode_id")
    truth = reads_truth.set_index("read_id")
    reads = valid["alpr_reads"]
    assert len(reads) == len(truth)
    far = 0
    for r in reads[:: max(1, len(reads) // 800)]:
        t = truth.loc[r["read_id"]]
        e = ep.loc[t["episode_id"]]
        assert r["plate"] == t["read_plate"]
        d = _metres(float(r["lon"]), float(r["lat"]), bfs[e["blockface_id"]])
        far += d > 10
        assert d < 25, (r["read_id"], d)
        ts = pd.Timestamp(to_utc(SOURCES["alpr_reads"], r["captured_at"]))
        assert e["arrived_at"] <= ts < e["departed_at"], "a read sees a car that is there"
    assert far < 10


def test_misread_rate_and_confusions(reads_truth):
    rate = reads_truth["is_misread"].mean()
    assert 0.01 <= rate <= 0.06, rate
    mis = reads_truth[reads_truth["is_misread"]]
    assert (mis["true_plate"] != mis["read_plate"]).all()
    ok = reads_truth[~reads_truth["is_misread"]]
    assert (ok["true_plate"] == ok["read_plate"]).all()
    assert (mis["true_plate"].str.len() == mis["read_plate"].str.len()).all()


def test_read_confidence(valid, reads_truth):
    conf = pd.Series({r["read_id"]: float(r["confidence"]) for r in valid["alpr_reads"]})
    mis = reads_truth.set_index("read_id")["is_misread"].reindex(conf.index)
    good = conf[~mis]
    assert ((good >= 0.85) & (good <= 0.99)).mean() > 0.9
    assert conf[mis].mean() < good.mean() - 0.1


def test_tickets_only_for_cars_in_violation(ci_world, valid, episodes):
    tt = pd.read_parquet(ci_world / "ground_truth" / "tickets_truth.parquet")
    tickets = pd.DataFrame(valid["handheld_tickets"])
    assert len(tt) == len(tickets) and set(tt["ticket_number"]) == set(tickets["ticket_number"])
    m = tickets.merge(tt, on="ticket_number", suffixes=("", "_truth")).merge(episodes, on="episode_id", suffixes=("", "_ep"))
    assert len(m) == len(tickets)
    assert m["in_violation"].all()
    assert (m["violation_type"] == m["violation_type_ep"]).all()
    assert (m["plate"] == m["plate_ep"]).all()
    issued = pd.to_datetime(m["issued_at"], utc=True, format="ISO8601")
    assert ((issued >= m["violation_start"]) & (issued < m["violation_end"])).all()
    assert (~m["exempt"]).all()
    assert m["episode_id"].is_unique  # one ticket per parking episode
    # fines follow the schedule
    fines = {"no_permit": 30, "meter_unpaid": 30, "overtime": 30, "no_parking": 50, "no_stopping": 100,
             "school_zone": 150, "rush_hour": 150, "hydrant": 100, "accessible": 450}
    assert (m["fine_amount"].astype(float) == m["violation_type"].map(fines)).all()
    assert set(m["detection_source"]) == {"manual", "alpr"}
    alpr = m[m["detection_source"] == "alpr"]
    assert alpr["read_id"].str.len().gt(0).all()
    assert (alpr["evidence_ref"] == "EV-" + alpr["read_id"]).all()


def test_episodes_are_consistent(episodes):
    e = episodes
    assert e["episode_id"].is_unique
    assert (e["departed_at"] > e["arrived_at"]).all()
    assert not (e["in_violation"] & e["exempt"]).any()
    assert (e["violation_type"].notna() == e["in_violation"]).all()
    v = e[e["in_violation"]]
    assert ((v["violation_start"] >= v["arrived_at"]) & (v["violation_end"] <= v["departed_at"])
            & (v["violation_start"] < v["violation_end"])).all()
    # a vehicle is never parked in two places at once
    s = e.sort_values(["plate", "arrived_at"])
    same = s["plate"].eq(s["plate"].shift())
    assert not (same & (s["arrived_at"] < s["departed_at"].shift())).any()
    # compliance: most parking is legal
    assert 0.05 < e["in_violation"].mean() < 0.4


def test_paid_sessions_cover_paying_cars(valid, episodes):
    a = pd.DataFrame(valid["pbp_vendor_a_sessions"])
    paid = episodes[episodes["payment_method"] == "vendor_a"]
    assert len(paid) and len(a)
    covered = paid[~paid["payment_plate_typo"]]
    assert covered["plate"].isin(set(a["plate_number"])).mean() > 0.99
    # a paying car is not unpaid-in-violation before its time runs out
    unpaid = episodes[(episodes["violation_type"] == "meter_unpaid") & episodes["paid_until"].notna()]
    assert (unpaid["violation_start"] >= unpaid["paid_until"]).all()


def test_plates_are_mostly_ontario(valid):
    import re

    plates = pd.DataFrame(valid["alpr_reads"])
    on = plates["region"] == "ON"
    assert on.mean() > 0.8
    pat = re.compile(r"^[A-Z]{3,4} \d{3}$")
    assert plates.loc[on, "plate"].map(lambda p: bool(pat.match(p))).mean() > 0.9
    assert set(plates["region"]) - {"ON"}, "some out-of-province plates"


def test_world_json(ground):
    w = ground["world"]
    assert w["preset"] == "ci" and w["seed"] == 7
    for k in ("zones", "blockfaces", "meters", "officers"):
        assert w["counts"][k] > 0
