"""Golden cases of the bylaw case lifecycle: one per path, defined once.

Each case gives the source rows (raw column names) and what must come out: the events of
``int_case_events_unioned`` (with the status each one moves the case into) and the status
history of ``fct_case_status_history`` (with the trigger the seed names). This module
renders them as dbt unit tests (``models/intermediate/_bylaw_lifecycle_unit_tests.yml``;
``python tests/dbt/bylaw_golden_cases.py`` rewrites it, ``--check`` tells whether it is up
to date), and ``tests/dbt/test_bylaw_lifecycle.py`` runs the same rows through the real
models on a warehouse.

All times are UTC; June 2026 in Toronto is UTC-4 (a deadline day ends at 04:00 UTC the
next day). The as-of day is 2026-06-30.
"""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGET = REPO_ROOT / "dbt_project" / "models" / "intermediate" / "_bylaw_lifecycle_unit_tests.yml"
SEED = REPO_ROOT / "dbt_project" / "seeds" / "case_status_transitions.csv"
TZ = ZoneInfo("America/Toronto")
UTC = timezone.utc
AS_OF = "2026-06-30"
ROLL = "3012010010000190000"


def _case(cid, opened, closed=None, outcome=None, btype="property_standards", priority="standard"):
    return {"case_id": cid, "complaint_source": "proactive", "complaint_ref": "", "opened_at": opened,
            "bylaw_type": btype, "roll_number": ROLL, "priority": priority, "assigned_officer_id": "BY-1",
            "status": "closed" if closed else "open", "closed_at": closed, "outcome": outcome}


def _ins(iid, cid, at, itype, result, officer="BY-1"):
    return {"inspection_id": iid, "case_id": cid, "inspected_at": at, "officer_id": officer,
            "inspection_type": itype, "result": result, "notes": ""}


def _notice(nid, cid, ntype, at, deadline=None, fine=None):
    return {"notice_id": nid, "case_id": cid, "notice_type": ntype, "issued_at": at, "bylaw_section": "PS 4.1",
            "compliance_deadline": deadline, "served_method": "personal", "served_at": at, "fine_amount": fine}


# status path: (status, trigger, entered_at); events: (event_id, event_at, status_effect)
CASES = [
    dict(
        name="dismissed_before_inspection",
        description="Closed before any inspection (duplicate / withdrawn): received -> closed.",
        case=_case("G1", "2026-06-01 14:00:00+00", "2026-06-02 15:00:00+00", "dismissed"),
        events=[("case_opened:G1", "2026-06-01 14:00:00+00", "received"),
                ("case_closed:G1", "2026-06-02 15:00:00+00", "closed")],
        path=[("received", "case_opened", "2026-06-01 14:00:00+00"),
              ("closed", "closed_without_inspection", "2026-06-02 15:00:00+00")],
    ),
    dict(
        name="no_violation",
        description="The initial inspection finds no violation; the case closes as dismissed.",
        case=_case("G2", "2026-06-01 14:00:00+00", "2026-06-03 18:00:00+00", "dismissed"),
        inspections=[_ins("I2", "G2", "2026-06-03 14:00:00+00", "initial", "no_violation")],
        events=[("case_opened:G2", "2026-06-01 14:00:00+00", "received"),
                ("initial_inspection:I2", "2026-06-03 14:00:00+00", "investigated"),
                ("case_closed:G2", "2026-06-03 18:00:00+00", "closed")],
        path=[("received", "case_opened", "2026-06-01 14:00:00+00"),
              ("investigated", "initial_inspection", "2026-06-03 14:00:00+00"),
              ("closed", "no_violation", "2026-06-03 18:00:00+00")],
    ),
    dict(
        name="complied_at_inspection",
        description="The violation is corrected while the officer is there (first inspection 'complied').",
        case=_case("G3", "2026-06-01 14:00:00+00", "2026-06-03 19:00:00+00", "voluntary_compliance", "long_grass"),
        inspections=[_ins("I3", "G3", "2026-06-03 14:00:00+00", "initial", "complied")],
        events=[("case_opened:G3", "2026-06-01 14:00:00+00", "received"),
                ("initial_inspection:I3", "2026-06-03 14:00:00+00", "investigated"),
                ("complied_at_inspection:I3", "2026-06-03 14:00:00+00", "complied"),
                ("case_closed:G3", "2026-06-03 19:00:00+00", "closed")],
        path=[("received", "case_opened", "2026-06-01 14:00:00+00"),
              ("investigated", "initial_inspection", "2026-06-03 14:00:00+00"),
              ("complied", "complied_at_inspection", "2026-06-03 14:00:00+00"),
              ("closed", "closure", "2026-06-03 19:00:00+00")],
    ),
    dict(
        name="notice_then_complied",
        description="A compliance notice, re-inspected on its deadline day and complied (no deadline passed).",
        case=_case("G4", "2026-06-01 14:00:00+00", "2026-06-12 16:00:00+00", "voluntary_compliance"),
        inspections=[_ins("I4a", "G4", "2026-06-02 14:00:00+00", "initial", "violation_found"),
                     _ins("I4b", "G4", "2026-06-12 14:00:00+00", "re_inspection", "complied")],
        notices=[_notice("N4", "G4", "compliance_notice", "2026-06-02 15:00:00+00", "2026-06-12")],
        events=[("case_opened:G4", "2026-06-01 14:00:00+00", "received"),
                ("initial_inspection:I4a", "2026-06-02 14:00:00+00", "investigated"),
                ("compliance_notice:N4", "2026-06-02 15:00:00+00", "notice_issued"),
                ("re_inspection:I4b", "2026-06-12 14:00:00+00", "complied"),
                ("case_closed:G4", "2026-06-12 16:00:00+00", "closed")],
        path=[("received", "case_opened", "2026-06-01 14:00:00+00"),
              ("investigated", "initial_inspection", "2026-06-02 14:00:00+00"),
              ("notice_issued", "compliance_notice", "2026-06-02 15:00:00+00"),
              ("complied", "re_inspection_complied", "2026-06-12 14:00:00+00"),
              ("closed", "closure", "2026-06-12 16:00:00+00")],
    ),
    dict(
        name="notice_not_complied_then_order_complied",
        description="Notice deadline passes, re-inspection not complied, an order follows; its deadline passes and the next re-inspection finds it complied.",
        case=_case("G5", "2026-06-01 14:00:00+00", "2026-06-22 16:00:00+00", "order_compliance"),
        inspections=[_ins("I5a", "G5", "2026-06-02 14:00:00+00", "initial", "violation_found"),
                     _ins("I5b", "G5", "2026-06-11 14:00:00+00", "re_inspection", "not_complied"),
                     _ins("I5c", "G5", "2026-06-22 14:00:00+00", "re_inspection", "complied")],
        notices=[_notice("N5a", "G5", "compliance_notice", "2026-06-02 15:00:00+00", "2026-06-09"),
                 _notice("N5b", "G5", "order_to_comply", "2026-06-11 16:00:00+00", "2026-06-20")],
        events=[("case_opened:G5", "2026-06-01 14:00:00+00", "received"),
                ("initial_inspection:I5a", "2026-06-02 14:00:00+00", "investigated"),
                ("compliance_notice:N5a", "2026-06-02 15:00:00+00", "notice_issued"),
                ("deadline_passed:N5a", "2026-06-10 04:00:00+00", "reinspection_due"),
                ("re_inspection:I5b", "2026-06-11 14:00:00+00", None),
                ("order_to_comply:N5b", "2026-06-11 16:00:00+00", "order_issued"),
                ("deadline_passed:N5b", "2026-06-21 04:00:00+00", "reinspection_due"),
                ("re_inspection:I5c", "2026-06-22 14:00:00+00", "complied"),
                ("case_closed:G5", "2026-06-22 16:00:00+00", "closed")],
        path=[("received", "case_opened", "2026-06-01 14:00:00+00"),
              ("investigated", "initial_inspection", "2026-06-02 14:00:00+00"),
              ("notice_issued", "compliance_notice", "2026-06-02 15:00:00+00"),
              ("reinspection_due", "deadline_passed", "2026-06-10 04:00:00+00"),
              ("order_issued", "order_to_comply", "2026-06-11 16:00:00+00"),
              ("reinspection_due", "deadline_passed", "2026-06-21 04:00:00+00"),
              ("complied", "re_inspection_complied", "2026-06-22 14:00:00+00"),
              ("closed", "closure", "2026-06-22 16:00:00+00")],
    ),
    dict(
        name="order_not_complied_then_remediation",
        description="An order's deadline passes, the re-inspection finds it not complied (escalated); a contractor does the work at the owner's cost, recovered later.",
        case=_case("G6", "2026-06-01 14:00:00+00", "2026-06-16 14:00:00+00", "remediation", "long_grass"),
        inspections=[_ins("I6a", "G6", "2026-06-02 14:00:00+00", "initial", "violation_found"),
                     _ins("I6b", "G6", "2026-06-10 14:00:00+00", "re_inspection", "not_complied")],
        notices=[_notice("N6", "G6", "order_to_comply", "2026-06-02 15:00:00+00", "2026-06-09")],
        works=[{"work_id": "W6", "case_id": "G6", "roll_number": ROLL, "contractor": "Conestoga Yard Services",
                "ordered_at": "2026-06-11 14:00:00+00", "completed_at": "2026-06-15 14:00:00+00", "cost": 850.0,
                "invoiced_at": "2026-06-18 14:00:00+00", "added_to_tax_roll_on": None,
                "recovered_amount": 850.0, "recovered_at": "2026-06-25 14:00:00+00"}],
        events=[("case_opened:G6", "2026-06-01 14:00:00+00", "received"),
                ("initial_inspection:I6a", "2026-06-02 14:00:00+00", "investigated"),
                ("order_to_comply:N6", "2026-06-02 15:00:00+00", "order_issued"),
                ("deadline_passed:N6", "2026-06-10 04:00:00+00", "reinspection_due"),
                ("re_inspection:I6b", "2026-06-10 14:00:00+00", "escalated"),
                ("remediation_ordered:W6", "2026-06-11 14:00:00+00", "escalated"),
                ("remediation_completed:W6", "2026-06-15 14:00:00+00", None),
                ("case_closed:G6", "2026-06-16 14:00:00+00", "closed"),
                ("remediation_invoiced:W6", "2026-06-18 14:00:00+00", None),
                ("remediation_recovered:W6", "2026-06-25 14:00:00+00", None)],
        path=[("received", "case_opened", "2026-06-01 14:00:00+00"),
              ("investigated", "initial_inspection", "2026-06-02 14:00:00+00"),
              ("order_issued", "order_to_comply", "2026-06-02 15:00:00+00"),
              ("reinspection_due", "deadline_passed", "2026-06-10 04:00:00+00"),
              ("escalated", "re_inspection_not_complied", "2026-06-10 14:00:00+00"),
              ("closed", "closure", "2026-06-16 14:00:00+00")],
    ),
    dict(
        name="order_not_complied_then_prosecution",
        description="Re-inspected on the order's deadline day and not complied: the deadline counts as passed then and the case escalates at once; a Part I ticket follows, partly paid.",
        case=_case("G7", "2026-06-01 14:00:00+00", "2026-06-11 14:00:00+00", "prosecution", "zoning"),
        inspections=[_ins("I7a", "G7", "2026-06-02 14:00:00+00", "initial", "violation_found"),
                     _ins("I7b", "G7", "2026-06-09 14:00:00+00", "re_inspection", "not_complied")],
        notices=[_notice("N7a", "G7", "order_to_comply", "2026-06-02 15:00:00+00", "2026-06-09"),
                 _notice("N7b", "G7", "part_i_ticket", "2026-06-10 14:00:00+00", None, 500.0)],
        payments=[{"payment_id": "P7", "notice_id": "N7b", "case_id": "G7", "paid_at": "2026-06-20 14:00:00+00",
                   "amount": 300.0, "channel": "mail"}],
        events=[("case_opened:G7", "2026-06-01 14:00:00+00", "received"),
                ("initial_inspection:I7a", "2026-06-02 14:00:00+00", "investigated"),
                ("order_to_comply:N7a", "2026-06-02 15:00:00+00", "order_issued"),
                ("deadline_passed:N7a", "2026-06-09 14:00:00+00", "reinspection_due"),
                ("re_inspection:I7b", "2026-06-09 14:00:00+00", "escalated"),
                ("part_i_ticket:N7b", "2026-06-10 14:00:00+00", "escalated"),
                ("case_closed:G7", "2026-06-11 14:00:00+00", "closed"),
                ("fine_payment:P7", "2026-06-20 14:00:00+00", None)],
        path=[("received", "case_opened", "2026-06-01 14:00:00+00"),
              ("investigated", "initial_inspection", "2026-06-02 14:00:00+00"),
              ("order_issued", "order_to_comply", "2026-06-02 15:00:00+00"),
              ("reinspection_due", "deadline_passed", "2026-06-09 14:00:00+00"),
              ("escalated", "re_inspection_not_complied", "2026-06-09 14:00:00+00"),
              ("closed", "closure", "2026-06-11 14:00:00+00")],
    ),
    dict(
        name="quick_amp",
        description="A violation at the first inspection gets an AMP at once (no deadline to comply); paid in full.",
        case=_case("G8", "2026-06-01 14:00:00+00", "2026-06-03 14:00:00+00", "prosecution", "noise", "urgent"),
        inspections=[_ins("I8", "G8", "2026-06-02 14:00:00+00", "initial", "violation_found")],
        notices=[_notice("N8", "G8", "amp", "2026-06-02 14:30:00+00", None, 300.0)],
        payments=[{"payment_id": "P8", "notice_id": "N8", "case_id": "G8", "paid_at": "2026-06-05 14:00:00+00",
                   "amount": 300.0, "channel": "online"}],
        events=[("case_opened:G8", "2026-06-01 14:00:00+00", "received"),
                ("initial_inspection:I8", "2026-06-02 14:00:00+00", "investigated"),
                ("amp:N8", "2026-06-02 14:30:00+00", "escalated"),
                ("case_closed:G8", "2026-06-03 14:00:00+00", "closed"),
                ("fine_payment:P8", "2026-06-05 14:00:00+00", None)],
        path=[("received", "case_opened", "2026-06-01 14:00:00+00"),
              ("investigated", "initial_inspection", "2026-06-02 14:00:00+00"),
              ("escalated", "ticket_or_amp", "2026-06-02 14:30:00+00"),
              ("closed", "closure", "2026-06-03 14:00:00+00")],
    ),
    dict(
        name="open_past_deadline_is_reinspection_due",
        description="A notice whose deadline passed with no re-inspection: the open case is reinspection_due.",
        case=_case("G9", "2026-06-01 14:00:00+00"),
        inspections=[_ins("I9", "G9", "2026-06-02 14:00:00+00", "initial", "violation_found")],
        notices=[_notice("N9", "G9", "compliance_notice", "2026-06-02 15:00:00+00", "2026-06-16")],
        events=[("case_opened:G9", "2026-06-01 14:00:00+00", "received"),
                ("initial_inspection:I9", "2026-06-02 14:00:00+00", "investigated"),
                ("compliance_notice:N9", "2026-06-02 15:00:00+00", "notice_issued"),
                ("deadline_passed:N9", "2026-06-17 04:00:00+00", "reinspection_due")],
        path=[("received", "case_opened", "2026-06-01 14:00:00+00"),
              ("investigated", "initial_inspection", "2026-06-02 14:00:00+00"),
              ("notice_issued", "compliance_notice", "2026-06-02 15:00:00+00"),
              ("reinspection_due", "deadline_passed", "2026-06-17 04:00:00+00")],
    ),
]

# -- a warehouse holding the golden cases (tests/dbt/test_bylaw_lifecycle.py, tests/apps/test_bylaw_analytics.py)
MARTS = ["fct_case_lifecycle", "fct_case_status_history", "fct_bylaw_sla_monthly", "fct_bylaw_case_aging",
         "fct_bylaw_order_compliance_monthly", "fct_bylaw_officer_productivity_monthly", "fct_bylaw_fines_monthly",
         "fct_bylaw_remediation_works", "fct_bylaw_cost_per_case", "fct_bylaw_complaint_trends",
         "fct_bylaw_emerging_issues"]
SELECT = [f"+{m}" for m in MARTS] + ["fct_complaints", "case_status_transitions", "bylaw_sla_targets",
                                     "test_name:assert_analyst_marts_carry_no_complainant_identity"]
AS_OF_DATE = date(2026, 6, 30)
ADDRESS = "12 King St W"


def L(day: str, row: int = 1) -> dict:
    return {"_batch_id": "b1", "_source_file": f"x_{day}", "_row_number": row, "_delivered_on": date.fromisoformat(day),
            "_landed_at": datetime.fromisoformat(f"{day}T23:00:00+00:00")}


def _ts(v):
    return parse_ts(v) if isinstance(v, str) else v


def _rows(rows, ts_fields, day_field):
    out = []
    for i, r in enumerate(rows, start=1):
        r = {k: (_ts(v) if k in ts_fields else v) for k, v in r.items()}
        for k in ("compliance_deadline", "added_to_tax_roll_on"):
            if isinstance(r.get(k), str):
                r[k] = date.fromisoformat(r[k])
        out.append({**r, **L(local_day(r[day_field].isoformat().replace("+00:00", "+00")), i)})
    return out


def _calls() -> list[dict]:
    """Complaints: Noise one a week for weeks 4..23 before the as-of day and three a week in
    the last four (an emerging issue), plus one in June 2025; Graffiti one a week for 56
    weeks (steady). All at an address on the roll (Ward 1), with caller identity in raw."""
    rows, n = [], 0

    def call(day: date, rtype: str):
        nonlocal n
        n += 1
        at = datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC) + timedelta(minutes=n)
        rows.append({"call_id": f"C{n:05d}", "received_at": at, "request_type": rtype, "channel": "phone",
                     "address": ADDRESS, "lat": 43.45, "lon": -80.49, "description": "",
                     "anonymous": False, "caller_name": "Zebulon Quarrington", "caller_phone": "519-555-0199",
                     **L(day.isoformat(), n)})

    for w in range(56):
        call(AS_OF_DATE - timedelta(days=7 * w + 1), "Graffiti")
    for w in range(4, 24):
        call(AS_OF_DATE - timedelta(days=7 * w + 1), "Noise")
    for w in range(4):
        for _ in range(3):
            call(AS_OF_DATE - timedelta(days=7 * w + 1), "Noise")
    call(date(2025, 6, 15), "Noise")
    return rows


def fill_raw(con) -> None:
    """Insert the golden cases, the roll, the officer and the complaints into raw tables."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from raw_fixture import insert_rows

    cases = [c["case"] for c in CASES]
    insert_rows(con, "bylaw_cases", _rows(cases, {"opened_at", "closed_at"}, "opened_at"))
    insert_rows(con, "inspections", _rows([i for c in CASES for i in c.get("inspections", [])], {"inspected_at"}, "inspected_at"))
    insert_rows(con, "notices", _rows([x for c in CASES for x in c.get("notices", [])], {"issued_at", "served_at"}, "issued_at"))
    insert_rows(con, "remediation_works", _rows([x for c in CASES for x in c.get("works", [])],
                                                {"ordered_at", "completed_at", "invoiced_at", "recovered_at"}, "ordered_at"))
    insert_rows(con, "bylaw_fine_payments", _rows([x for c in CASES for x in c.get("payments", [])], {"paid_at"}, "paid_at"))
    insert_rows(con, "assessment_roll", [{"roll_number": ROLL, "address": ADDRESS, "lat": 43.45, "lon": -80.49,
                                          "property_class": "residential", "owner_name": "Olive Ownerly",
                                          "assessed_value": 450000, "ward": "Ward 1", **L("2026-06-01")}])
    insert_rows(con, "officers", [{"officer_id": "BY-1", "badge_number": "K1001", "unit": "bylaw", "home_zone_id": "Z1",
                                   "specialty": "property_standards", "active": True, **L("2026-06-01")}])
    insert_rows(con, "calls_311", _calls())
    insert_rows(con, "open311_requests", [{
        "service_request_id": "SR-1", "status": "open", "service_code": "PS", "service_name": "Property Standards",
        "description": "", "requested_datetime": datetime(2026, 6, 10, 15, tzinfo=UTC), "address": ADDRESS,
        "lat": 43.45, "long": -80.49, "first_name": "Ophelia", "last_name": "Reporterson",
        "email": "ophelia.reporterson@example.com", "phone": "519-555-0100", **L("2026-06-10")}])



def build_warehouse(work: Path) -> Path:
    """The golden cases (and complaints with caller identity) in raw, then ``dbt build`` of
    the bylaw marts and their tests (as of 2026-06-30): the warehouse file."""
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import helpers
    from raw_fixture import build_golden_warehouse

    def run(warehouse, w, *args):
        helpers.run_dbt(warehouse, w, *args, "--vars", "{case_lifecycle_as_of: '%s'}" % AS_OF, salt="pytest-salt")

    return build_golden_warehouse(work, fill_raw, run, "build", "--exclude-resource-type", "unit_test",
                                  "--indirect-selection", "cautious", "-s", *SELECT)


EVENT_ORDER = {"case_opened": 0, "initial_inspection": 1, "complied_at_inspection": 2, "compliance_notice": 3,
               "order_to_comply": 3, "amp": 3, "part_i_ticket": 3, "deadline_passed": 4, "re_inspection": 5,
               "remediation_ordered": 6, "remediation_completed": 6, "remediation_invoiced": 6,
               "added_to_tax_roll": 6, "remediation_recovered": 6, "fine_payment": 7, "case_closed": 9}


def parse_ts(s: str | None) -> datetime | None:
    return None if s is None else datetime.fromisoformat(s.replace("+00", "+00:00"))


def local_day(s: str | None) -> str | None:
    return None if s is None else parse_ts(s).astimezone(TZ).date().isoformat()


# -- dbt unit tests ------------------------------------------------------------------------
def _staging_inputs(c: dict) -> dict[str, list[dict]]:
    case = dict(c["case"], opened_date=local_day(c["case"]["opened_at"]), closed_date=local_day(c["case"]["closed_at"]))
    return {
        "stg_cases__cases": [case],
        "stg_cases__inspections": [dict(i, inspected_date=local_day(i["inspected_at"])) for i in c.get("inspections", [])],
        "stg_cases__notices": [dict(n, issued_date=local_day(n["issued_at"])) for n in c.get("notices", [])],
        "stg_cases__remediation_works": [dict(w, ordered_date=local_day(w["ordered_at"])) for w in c.get("works", [])],
        "stg_cases__fine_payments": [dict(p, paid_date=local_day(p["paid_at"])) for p in c.get("payments", [])],
    }


def _event_rows(c: dict) -> list[dict]:
    cid = c["case"]["case_id"]
    rows = []
    first_inspection = True
    for eid, at, effect in c["events"]:
        et, rid = eid.split(":", 1)
        order = EVENT_ORDER[et]
        if et in ("initial_inspection", "re_inspection"):
            order = 1 if first_inspection else 5
            first_inspection = False
        rows.append({"event_id": eid, "case_id": cid, "event_type": et, "event_order": order, "event_at": at,
                     "record_id": rid, "status_effect": effect})
    return rows


def _history_rows(c: dict) -> list[dict]:
    cid = c["case"]["case_id"]
    out = []
    for i, (status, trig, at) in enumerate(c["path"]):
        nxt = c["path"][i + 1][2] if i + 1 < len(c["path"]) else None
        out.append({"case_id": cid, "status_seq": i + 1, "status": status,
                    "previous_status": c["path"][i - 1][0] if i else None,
                    "entered_at": at, "left_at": nxt, "is_current": nxt is None, "trigger": trig})
    return out


def _yaml_value(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return '"' + str(v).replace('"', '\\"') + '"'


def _row(d: dict) -> str:
    return "{" + ", ".join(f"{k}: {_yaml_value(v)}" for k, v in d.items()) + "}"


def _seed_rows() -> list[dict]:
    with open(SEED, newline="") as fh:
        return [{"from_status": r["from_status"], "to_status": r["to_status"], "trigger": r["trigger"]}
                for r in csv.DictReader(fh)]


def render() -> str:
    out = ["version: 2", "",
           "# Golden cases of the bylaw case lifecycle, one per path. GENERATED by",
           "# tests/dbt/bylaw_golden_cases.py (the one definition of the cases): edit it, then run",
           "# `python tests/dbt/bylaw_golden_cases.py`. Each case is two unit tests: its source rows",
           "# -> int_case_events_unioned (status effects), and those events ->",
           "# fct_case_status_history (statuses, triggers from the seed case_status_transitions).",
           "", "unit_tests:"]
    spine = [{"day": AS_OF}]
    seed = _seed_rows()
    for c in CASES:
        out += [f"  - name: case_events_{c['name']}",
                f"    description: {_yaml_value(c['description'])}",
                "    model: int_case_events_unioned",
                "    given:"]
        for model, rows in _staging_inputs(c).items():
            out.append(f"      - input: ref('{model}')")
            if rows:
                out.append("        rows:")
                out += [f"          - {_row(r)}" for r in rows]
            else:
                out.append("        rows: []")
        out += ["      - input: ref('int_days_spined')", "        rows:", *[f"          - {_row(r)}" for r in spine],
                "    expect:", "      rows:"]
        out += [f"        - {_row({k: e[k] for k in ('event_id', 'case_id', 'event_type', 'event_at', 'status_effect')})}"
                for e in _event_rows(c)]
        out += [f"  - name: case_status_history_{c['name']}",
                f"    description: {_yaml_value(c['description'])}",
                "    model: fct_case_status_history",
                "    given:",
                "      - input: ref('int_case_events_unioned')", "        rows:"]
        out += [f"          - {_row(e)}" for e in _event_rows(c)]
        out += ["      - input: ref('case_status_transitions')", "        rows:"]
        out += [f"          - {_row(r)}" for r in seed]
        out += ["      - input: ref('int_days_spined')", "        rows:", *[f"          - {_row(r)}" for r in spine],
                "    expect:", "      rows:"]
        out += [f"        - {_row(h)}" for h in _history_rows(c)]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if TARGET.exists() and TARGET.read_text() == text else 1)
    TARGET.write_text(text)
    print(f"wrote {TARGET}")
