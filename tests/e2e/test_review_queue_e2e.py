"""The review queue end to end on the ci city: officers decide detections from the published
queue in the ops database, the next `civic pipeline run` exports and lands them, and the
confirmed ones are tickets (detection_source alpr) with a lifecycle; mailed ones wait for
the MTO owner look-up like any other mailed ticket."""

import json

import duckdb
import pytest

from helpers import civic
from warehouse import ops
from warehouse.config import Paths

pytestmark = pytest.mark.slow


def _rows(db_file, sql, params=()):
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        cur = con.execute(sql, list(params))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()


def test_confirmed_detections_become_tickets_on_the_next_run(ci_city_copy, monkeypatch):
    city = ci_city_copy
    monkeypatch.delenv(ops.OPS_DB_URL_ENV, raising=False)
    p = Paths(city)
    serving, warehouse = city / "serving" / "civic_serving.duckdb", city / "warehouse" / "civic.duckdb"
    queue = _rows(serving, "SELECT * FROM enforcement.enf_review_queue WHERE province = 'ON' "
                           "ORDER BY captured_at, read_id LIMIT 4")
    assert len(queue) == 4
    db = ops.OpsDB(ops.ops_db_url(p))
    try:
        methods = ["mail", "windshield", "mail"]
        tickets = {db.confirm(ops.Detection.from_row(r), "PK-101", m, make="FORD")["ticket_number"]: (r, m)
                   for r, m in zip(queue, methods)}
        db.reject(queue[3]["read_id"], "PK-102", "misread_plate")
    finally:
        db.dispose()

    result = json.loads(civic(city, "pipeline", "run").strip().splitlines()[-1])
    assert result["ops_export"] == {"review_decisions": 4, "review_tickets": 3}

    got = {r["ticket_id"]: r for r in _rows(
        warehouse, "SELECT t.*, l.current_status FROM marts.fct_tickets AS t "
                   "JOIN marts.fct_ticket_lifecycle AS l ON l.ticket_id = t.ticket_id "
                   "WHERE t.ticket_id IN (SELECT unnest(?::VARCHAR[]))", [list(tickets)])}
    assert set(got) == set(tickets)
    for number, (hit, method) in tickets.items():
        t = got[number]
        assert (t["detection_source"], t["issue_method"], t["source_system"]) == ("alpr", method, "handheld")
        assert (t["violation_type"], t["bylaw_code"], t["fine_amount"]) == (
            hit["violation_type"], hit["bylaw_code"], hit["fine_amount"])
        assert t["plate_pseudonym"] == hit["plate_pseudonym"] and t["issued_at"] == hit["captured_at"]
        assert (t["vehicle_make"], t["officer_id"], t["evidence_ref"]) == (
            "FORD", "PK-101", hit["image_ref"] or f"EV-{hit['read_id']}")
        assert t["current_status"] is not None

    decisions = _rows(warehouse, "SELECT read_id, decision, officer_id, ticket_id FROM staging.stg_ops__review_decisions")
    assert sorted((d["read_id"], d["decision"]) for d in decisions) == sorted(
        [(r["read_id"], "confirmed") for r in queue[:3]] + [(queue[3]["read_id"], "rejected")])
    # decided detections leave the published queue; mailed tickets wait for the MTO look-up
    left = _rows(serving, "SELECT read_id FROM enforcement.enf_review_queue WHERE read_id IN (SELECT unnest(?::VARCHAR[]))",
                 [[r["read_id"] for r in queue]])
    assert left == []
    mto = {r["ticket_number"] for r in _rows(serving, "SELECT ticket_number FROM enforcement.mto_lookup_candidates")}
    assert {n for n, (_, m) in tickets.items() if m == "mail"} <= mto
    assert not {n for n, (_, m) in tickets.items() if m == "windshield"} & mto

    # exported once: a second export has nothing to write
    assert ops.export_to_landing(city) == {"review_decisions": {"file": None, "rows": 0},
                                           "handheld_tickets": {"file": None, "rows": 0}}
