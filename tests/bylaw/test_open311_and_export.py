"""Open311 requests into cases (idempotent), the legacy import, and the export to landing:
exported rows pass the landing contracts, carry no complainant identity, and go out once
per change."""

import datetime as dt
import json

import pandas as pd
import sqlalchemy as sa

from bylaw import cases as C
from bylaw.export import export_cases, pending_export_counts
from bylaw.legacy import create_demo_users, import_legacy_cases
from bylaw.open311 import import_open311_requests
from bylaw.ops_schema import cases, complaints
from bylaw.roles import authenticate
from data_contracts.sources import SOURCES
from data_contracts.validate import split
from warehouse.config import Paths
from warehouse.ingest import ingest_files
from warehouse.readers import read_file

NOW = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.timezone.utc)


def _open311_requests(sim_dir):
    out = []
    for f in sorted((sim_dir / "landing" / "open311_requests").glob("*.json")):
        out += json.loads(f.read_text())
    return out


def test_open311_requests_become_complaints_and_cases_once(db, reference, sim_dir, tmp_path):
    requests = _open311_requests(sim_dir)
    f = tmp_path / "requests.json"
    f.write_text(json.dumps(requests))
    first = import_open311_requests(db, f, reference=reference, now=NOW)
    # the simulator plants a few broken requests: the landing contract rejects them here too
    rejected = {r["service_request_id"] for r in first["rejected_requests"]}
    assert first["requests"] == len(requests) and first["rejected"] == len(rejected) >= 1
    valid = [r for r in requests if r["service_request_id"] not in rejected]
    n_closed = sum(r["status"] == "closed" for r in valid)
    assert first["closed_at_source"] == n_closed
    assert first["new_cases"] + first["attached"] == len(valid) - n_closed and first["new_cases"] > 0
    again = import_open311_requests(db, json.dumps(requests), reference=reference, now=NOW)  # text works too
    assert again["already_imported"] == len(valid) and again["new_cases"] == again["attached"] == 0
    with db.engine.connect() as c:
        rows = c.execute(sa.select(complaints)).mappings().all()
        portal_cases = c.execute(sa.select(cases).where(cases.c.complaint_source == "open311")).mappings().all()
    assert len(rows) == len(valid) and all(r["channel"] == "portal" for r in rows)
    named = next(r for r in requests if r.get("first_name"))
    stored = next(r for r in rows if r["source_ref"] == f"open311:{named['service_request_id']}")
    assert stored["complainant_name"].startswith(named["first_name"])
    assert {c["complaint_ref"] for c in portal_cases} <= {r["service_request_id"] for r in requests}


def test_bad_requests_are_reported_not_imported(db, reference):
    bad = [{"service_request_id": "SR-X", "status": "open", "service_code": "PS-001", "service_name": "x",
            "requested_datetime": "not a time", "lat": 43.45, "long": -80.49}]
    out = import_open311_requests(db, json.dumps(bad), reference=reference, now=NOW)
    assert out["rejected"] == 1 and out["new_cases"] == 0 and "requested_datetime" in out["rejected_requests"][0]["reason"]


def test_legacy_open_cases_are_imported_with_their_ids_and_a_replayed_status(db, reference, sim_dir):
    out = import_legacy_cases(db, sim_dir, reference=reference, today=dt.date(2026, 11, 2), now=NOW)
    legacy = pd.concat([pd.read_csv(f, dtype=str) for f in sorted((sim_dir / "landing" / "bylaw_cases").glob("*.csv"))])
    latest = legacy.drop_duplicates("case_id", keep="last")
    # planted bad rows (ids with an -X suffix) fail the contract and stay out
    still_open = {c for c in latest.loc[latest["status"] == "open", "case_id"] if "-X" not in c}
    with db.engine.connect() as c:
        imported = {r.case_id: r for r in c.execute(sa.select(cases))}
    assert set(imported) == still_open and out["cases"] == len(still_open) and out["inspections"] > 0
    assert all(r.origin == "legacy" and r.case_id.startswith("BL-") for r in imported.values())
    assert {r.status for r in imported.values()} - {"received"}  # some have progressed
    assert import_legacy_cases(db, sim_dir, reference=reference, now=NOW)["cases"] == 0  # idempotent
    # imported rows are already in landing: nothing to export until an officer changes something
    assert pending_export_counts(db) == {"bylaw_cases": 0, "inspections": 0, "notices": 0, "remediation_works": 0}
    users = create_demo_users(db, reference)
    assert {u["role"] for u in users} == {"clerk", "officer", "supervisor", "analyst", "council_viewer"}
    officer = authenticate(db, "officer", "officer-demo")
    assert officer.role == "officer" and officer.officer_id == "BY-201"
    received = next(r for r in imported.values() if r.status == "received")
    res = C.record_inspection(db, officer, received.case_id, received.version, inspection_type="initial",
                              result="violation_found", now=NOW)
    assert res["case"]["status"] == "investigated"
    assert pending_export_counts(db) == {"bylaw_cases": 1, "inspections": 1, "notices": 0, "remediation_works": 0}


def test_export_lands_clean_and_once_without_complainant_identity(db, reference, staff, tmp_path):
    p = Paths(tmp_path / "data")
    clerk, officer, sup = staff["clerk"], staff["officer"], staff["supervisor"]
    made = C.create_complaint(db, clerk, channel="walk_in", bylaw_type="long_grass", address="102 King St",
                              complainant_name="Zed Secretname", complainant_phone="519-555-7777",
                              complainant_email="zed@example.com", description="Grass 40 cm", reference=reference,
                              now=NOW)
    case_id = made["case_id"]
    r = C.record_inspection(db, officer, case_id, 1, inspection_type="initial", result="violation_found", now=NOW)
    r = C.issue_notice(db, officer, case_id, r["case"]["version"], notice_type="compliance_notice",
                       served_method="digital", compliance_deadline=dt.date(2026, 11, 9), now=NOW)
    C.mark_deadlines_passed(db, today=dt.date(2026, 11, 10), now=NOW)
    C.order_remediation(db, sup, case_id, C.get_case(db, case_id, sup)["version"], contractor="Green Cut Ltd",
                            cost=300.0, now=NOW)
    C.schedule_inspection(db, clerk, case_id, NOW + dt.timedelta(days=30), inspection_type="re_inspection", now=NOW)

    out = export_cases(db, p, now=NOW)
    assert {k: v["rows"] for k, v in out.items()} == {"bylaw_cases": 1, "inspections": 1, "notices": 1,
                                                      "remediation_works": 1}  # the scheduled one waits
    for source, res in out.items():
        text = open(res["file"]).read()
        for secret in ("Secretname", "555-7777", "zed@example.com"):
            assert secret not in text
        records = read_file(__import__("pathlib").Path(res["file"]), SOURCES[source]).records
        records["_rid"] = range(len(records))
        good, bad = split(SOURCES[source], records)
        assert bad.empty, bad["reason"].tolist()
        assert len(good) == 1
    case_row = pd.read_csv(out["bylaw_cases"]["file"], dtype=str).iloc[0]
    assert case_row["complaint_source"] == "intake" and case_row["complaint_ref"] == made["complaint_id"]
    assert case_row["status"] == "open"
    assert export_cases(db, p, now=NOW)["bylaw_cases"]["rows"] == 0  # each version once
    C.close_case(db, sup, case_id, C.get_case(db, case_id, sup)["version"], "remediation", "Cut by contractor",
                 now=NOW + dt.timedelta(days=1))
    again = export_cases(db, p, now=NOW + dt.timedelta(days=1))
    assert again["bylaw_cases"]["rows"] == 1 and again["inspections"]["rows"] == 0
    closed = pd.read_csv(again["bylaw_cases"]["file"], dtype=str).iloc[0]
    assert closed["status"] == "closed" and closed["outcome"] == "remediation"

    # the ingestion lands every exported row, none quarantined
    for source in out:
        files = sorted((p.landing / source).glob("ops_*.csv"))
        results = ingest_files(p, source, files)
        assert sum(r.quarantined for r in results) == 0 and sum(r.landed for r in results) >= 1
