"""Intake, case creation and routing, the lifecycle through the ops database, optimistic
locking, audit, roles and confidentiality, on a real SQLite file and a real PostgreSQL
database (the ``db`` fixture runs each test on both)."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from bylaw import cases as C
from bylaw import lifecycle, monitoring
from bylaw.audit import StaleCase
from bylaw.ops_schema import audit_log, case_status_changes, cases, complaints
from bylaw.roles import NotAllowed
NOW = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.timezone.utc)  # as in conftest.py

KING_102 = "102 King St"  # roll 3012010000000010000, zone Z01, in the ci city


def _complaint(db, staff, reference, **kw):
    base = dict(channel="phone", bylaw_type="noise", address=KING_102, description="Loud music at night",
                complainant_name="Jane Resident", complainant_phone="519-555-0101", reference=reference, now=NOW)
    return C.create_complaint(db, staff["clerk"], **{**base, **kw})


def test_a_complaint_opens_a_routed_case_with_property_owner_and_sla(db, staff, reference):
    out = _complaint(db, staff, reference)
    assert out["created_case"] and re.fullmatch(r"CE-2026-\d{6}", out["case_id"]) and out["case_id"] == "CE-2026-000001"
    case = C.get_case(db, out["case_id"], staff["supervisor"])
    assert case["roll_number"] == "3012010000000010000" and case["owner_name"] == "Victoria Walker Developments Inc."
    assert case["zone_id"] == "Z01" and case["ward"] == "Ward 1"
    assert case["bylaw_section"] == "Chapter 450 s.450.2 (Noise)" and case["priority"] == "standard"
    assert case["status"] == "received" and case["complaint_source"] == "intake"
    assert case["first_inspection_due_at"] == NOW + dt.timedelta(hours=120)
    assert case["resolution_due_at"] == NOW + dt.timedelta(days=60)
    # BY-202 is the noise specialist
    assert case["assigned_officer_id"] == "BY-202" and "specialty noise" in case["assignment_reason"]
    assert case["complaints"][0]["complainant_name"] == "Jane Resident"
    second = _complaint(db, staff, reference, bylaw_type="zoning", address="104 King St")
    assert second["case_id"] == "CE-2026-000002"


def test_urgent_priority_and_its_sla(db, staff, reference):
    out = _complaint(db, staff, reference, priority="urgent")
    case = C.get_case(db, out["case_id"], staff["clerk"])
    assert case["first_inspection_due_at"] == NOW + dt.timedelta(hours=4)  # noise/urgent override


def test_likely_duplicates_same_property_or_nearby_same_type_only(db, staff, reference):
    first = _complaint(db, staff, reference)
    other_type = _complaint(db, staff, reference, bylaw_type="waste")
    case = C.get_case(db, first["case_id"], staff["clerk"])
    same = C.find_likely_duplicates(db, "noise", roll_number="3012010000000010000")
    assert [d["case_id"] for d in same] == [first["case_id"]] and same[0]["same_property"]
    near = C.find_likely_duplicates(db, "noise", lat=case["lat"] + 0.0003, lon=case["lon"])  # ~33 m north
    assert [d["case_id"] for d in near] == [first["case_id"]] and 30 < near[0]["distance_m"] < 36
    assert C.find_likely_duplicates(db, "noise", lat=case["lat"] + 0.003, lon=case["lon"]) == []  # ~330 m
    assert other_type["case_id"] not in {d["case_id"] for d in near}
    # the clerk attaches the second complaint: no new case
    again = _complaint(db, staff, reference, attach_to_case_id=first["case_id"], complainant_name="Neighbour")
    assert not again["created_case"] and again["case_id"] == first["case_id"]
    assert len(C.get_case(db, first["case_id"], staff["clerk"])["complaints"]) == 2


def test_two_clerks_editing_the_same_case_never_overwrite(db, staff, reference):
    case_id = _complaint(db, staff, reference)["case_id"]
    seen_by_a = C.get_case(db, case_id, staff["clerk"])
    seen_by_b = C.get_case(db, case_id, staff["supervisor"])  # both read version 1
    C.update_case(db, staff["clerk"], case_id, seen_by_a["version"], priority="urgent", now=NOW)
    with pytest.raises(StaleCase, match=r"changed by clerk .*reload"):
        C.update_case(db, staff["supervisor"], case_id, seen_by_b["version"], priority="low", now=NOW)
    with pytest.raises(StaleCase):
        C.record_inspection(db, staff["officer"], case_id, seen_by_b["version"], inspection_type="initial",
                            result="violation_found", now=NOW)
    now = C.get_case(db, case_id, staff["supervisor"])
    assert now["priority"] == "urgent" and now["version"] == 2 and now["status"] == "received"
    with db.engine.connect() as c:
        audit = c.execute(sa.select(audit_log).where(audit_log.c.table_name == "cases", audit_log.c.row_key == case_id)
                          .order_by(audit_log.c.audit_id)).mappings().all()
    assert [a["action"] for a in audit] == ["insert", "update"]
    assert audit[1]["user_id"] == "clerk" and audit[1]["changes"]["priority"] == ["standard", "urgent"]


def test_concurrent_sessions_on_threads_one_wins(db, staff, reference):
    """Two screens (separate engines) save the same version at once: exactly one succeeds."""
    import threading

    from warehouse.ops import OpsDB

    case_id = _complaint(db, staff, reference)["case_id"]
    screens = [OpsDB(db.url), OpsDB(db.url)]
    results, barrier = [], threading.Barrier(2)

    def save(screen, priority):
        barrier.wait()
        try:
            C.update_case(screen, staff["clerk"], case_id, 1, priority=priority, now=NOW)
            results.append(("ok", priority))
        except StaleCase:
            results.append(("stale", priority))

    threads = [threading.Thread(target=save, args=(s, p)) for s, p in zip(screens, ("urgent", "low"))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    [s.dispose() for s in screens]
    assert sorted(r[0] for r in results) == ["ok", "stale"]
    winner = next(p for r, p in results if r == "ok")
    case = C.get_case(db, case_id, staff["clerk"])
    assert case["priority"] == winner and case["version"] == 2


def test_clerks_saving_at_once_get_distinct_case_numbers(db, staff, reference):
    """The first complaints of a fresh database, saved at the same moment from four screens:
    each gets its own complaint and case number (the counters' first row is made once)."""
    import threading

    from warehouse.ops import OpsDB

    screens = [OpsDB(db.url) for _ in range(4)]
    results, errors, barrier = [], [], threading.Barrier(4)

    def save(screen):
        barrier.wait()
        try:
            results.append(_complaint(screen, staff, reference, address=None, lat=43.45, lon=-80.49))
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(repr(e))

    threads = [threading.Thread(target=save, args=(s,)) for s in screens]
    [t.start() for t in threads]
    [t.join() for t in threads]
    [s.dispose() for s in screens]
    assert errors == []
    assert sorted(r["case_id"] for r in results) == [f"CE-2026-00000{i}" for i in range(1, 5)]
    assert sorted(r["complaint_id"] for r in results) == [f"CMP-0000000{i}" for i in range(1, 5)]


def test_roles_are_checked_and_nothing_is_written_when_refused(db, staff, reference):
    with pytest.raises(NotAllowed, match="analyst"):
        _complaint(db, {"clerk": staff["analyst"]}, reference)
    with db.engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(cases)).scalar() == 0
    case_id = _complaint(db, staff, reference)["case_id"]
    with pytest.raises(NotAllowed):
        C.close_case(db, staff["clerk"], case_id, 1, "dismissed", "duplicate")
    with pytest.raises(NotAllowed):
        C.get_case(db, case_id, staff["council_viewer"])


def test_complainant_identity_only_for_intake_and_supervisors(db, staff, reference):
    case_id = _complaint(db, staff, reference)["case_id"]
    for role in ("clerk", "supervisor"):
        assert C.get_case(db, case_id, staff[role])["complaints"][0]["complainant_phone"] == "519-555-0101"
    for role in ("officer", "analyst"):
        shown = C.get_case(db, case_id, staff[role])
        assert "Jane" not in repr(shown) and "555-0101" not in repr(shown)
        assert "Jane" not in repr(monitoring.case_timeline(db, case_id, staff[role]))
    assert "Jane Resident" in repr(monitoring.case_timeline(db, case_id, staff["clerk"]))


def test_anonymous_complaints_keep_no_identity(db, staff, reference):
    out = _complaint(db, staff, reference, anonymous=True)
    with db.engine.connect() as c:
        row = c.execute(sa.select(complaints).where(complaints.c.complaint_id == out["complaint_id"])).mappings().one()
    assert row["anonymous"] and row["complainant_name"] is None and row["complainant_phone"] is None


def test_full_journey_intake_to_closure_follows_the_state_machine(db, staff, reference):
    officer, sup = staff["officer"], staff["supervisor"]
    case_id = _complaint(db, staff, reference, bylaw_type="property_standards")["case_id"]
    t = NOW
    planned = C.schedule_inspection(db, staff["clerk"], case_id, t + dt.timedelta(days=1), now=t)
    v = C.get_case(db, case_id, officer)["version"]
    with pytest.raises(lifecycle.InvalidTransition):  # an order before any inspection
        C.issue_notice(db, officer, case_id, v, notice_type="order_to_comply", served_method="personal",
                       compliance_deadline=dt.date(2026, 11, 20), now=t)
    r = C.record_inspection(db, officer, case_id, v, inspection_type="initial", result="violation_found",
                            inspection_id=planned, checklist={"roof": "leaking"}, inspected_at=t + dt.timedelta(days=1),
                            now=t + dt.timedelta(days=1))
    assert r["inspection_id"] == planned and r["case"]["status"] == "investigated"
    r = C.issue_notice(db, officer, case_id, r["case"]["version"], notice_type="order_to_comply",
                       served_method="registered_mail", compliance_deadline=dt.date(2026, 11, 20),
                       now=t + dt.timedelta(days=2))
    assert r["case"]["status"] == "order_issued"
    assert C.mark_deadlines_passed(db, today=dt.date(2026, 11, 20), now=t + dt.timedelta(days=18)) == []
    assert C.mark_deadlines_passed(db, today=dt.date(2026, 11, 21), now=t + dt.timedelta(days=19)) == [case_id]
    due = monitoring.reinspections_due(db, today=dt.date(2026, 11, 21))
    assert list(due["case_id"]) == [case_id]
    assert list(monitoring.overdue_deadlines(db, today=dt.date(2026, 11, 21))["case_id"]) == [case_id]
    v = C.get_case(db, case_id, officer)["version"]
    r = C.record_inspection(db, officer, case_id, v, inspection_type="re_inspection", result="complied",
                            inspected_at=t + dt.timedelta(days=20), now=t + dt.timedelta(days=20))
    assert r["case"]["status"] == "complied"
    with pytest.raises(ValueError, match="outcome"):
        C.close_case(db, officer, case_id, r["case"]["version"], "fixed", "done")
    closed = C.close_case(db, officer, case_id, r["case"]["version"], "order_compliance", "Roof repaired",
                          now=t + dt.timedelta(days=21))
    assert closed["status"] == "closed" and closed["outcome"] == "order_compliance" and closed["closed_at"]
    with db.engine.connect() as c:
        steps = c.execute(sa.select(case_status_changes.c.from_status, case_status_changes.c.to_status)
                          .where(case_status_changes.c.case_id == case_id)
                          .order_by(case_status_changes.c.change_id)).all()
    for frm, to in steps[1:]:
        lifecycle.check_transition(frm, to)  # every recorded step is in the seed
    assert [s[1] for s in steps] == ["received", "investigated", "order_issued", "reinspection_due", "complied", "closed"]
    kinds = [e["kind"] for e in monitoring.case_timeline(db, case_id, sup)]
    assert kinds[0] == "complaint" and kinds[-1] == "status"
    assert {"inspection", "notice", "status"} <= set(kinds)
    times = [e["at"] for e in monitoring.case_timeline(db, case_id, sup)]
    assert times == sorted(times)


def test_remediation_escalates_and_is_recovered_on_the_tax_roll(db, staff, reference, tmp_path):
    officer, sup = staff["officer"], staff["supervisor"]
    case_id = _complaint(db, staff, reference, bylaw_type="long_grass")["case_id"]
    r = C.record_inspection(db, officer, case_id, 1, inspection_type="initial", result="violation_found", now=NOW)
    r = C.issue_notice(db, officer, case_id, r["case"]["version"], notice_type="compliance_notice",
                       served_method="digital", compliance_deadline=dt.date(2026, 11, 9), now=NOW)
    C.mark_deadlines_passed(db, today=dt.date(2026, 11, 10), now=NOW + dt.timedelta(days=8))
    v = C.get_case(db, case_id, sup)["version"]
    with pytest.raises(NotAllowed):
        C.order_remediation(db, officer, case_id, v, contractor="Green Cut Ltd", cost=450.0)
    w = C.order_remediation(db, sup, case_id, v, contractor="Green Cut Ltd", cost=450.0,
                            description="Cut grass and remove weeds", now=NOW + dt.timedelta(days=9))
    assert w["case"]["status"] == "escalated"
    work = C.get_case(db, case_id, sup)["remediation_works"][0]
    C.update_remediation(db, sup, w["work_id"], work["version"], completed_at=NOW + dt.timedelta(days=10),
                         invoiced_at=NOW + dt.timedelta(days=11), added_to_tax_roll_on=dt.date(2026, 12, 15),
                         recovered_amount=50.0, now=NOW + dt.timedelta(days=12))
    out = monitoring.export_tax_roll_csv(db, sup, tmp_path / "tax_roll.csv")
    text = (tmp_path / "tax_roll.csv").read_text()
    assert out["rows"] == 1 and out["amount"] == 400.0
    assert text.splitlines()[0] == "roll_number,case_id,work_id,amount,description,date"
    assert "3012010000000010000" in text and ",400.00," in text and "2026-12-15" in text
    assert "Jane" not in text and "555-0101" not in text
    summary = monitoring.remediation_by_contractor(db)
    assert summary.loc[0, "contractor"] == "Green Cut Ltd" and summary.loc[0, "outstanding"] == 400.0
    closed = C.close_case(db, sup, case_id, C.get_case(db, case_id, sup)["version"], "remediation", "Work done")
    assert closed["status"] == "closed"


def test_sla_breaches(db, staff, reference):
    case_id = _complaint(db, staff, reference, priority="urgent")["case_id"]  # first inspection due in 4 h
    assert monitoring.sla_breaches(db, now=NOW + dt.timedelta(hours=3)).empty
    late = monitoring.sla_breaches(db, now=NOW + dt.timedelta(hours=10))
    assert list(late["case_id"]) == [case_id] and late.loc[0, "breach"] == "first_inspection"
    assert late.loc[0, "overdue_hours"] == pytest.approx(6.0)
    C.record_inspection(db, staff["officer"], case_id, 1, inspection_type="initial", result="no_violation",
                        now=NOW + dt.timedelta(hours=11))
    assert monitoring.sla_breaches(db, now=NOW + dt.timedelta(hours=12)).empty


def test_ticket_on_investigated_case_escalates(db, staff, reference):
    case_id = _complaint(db, staff, reference)["case_id"]
    r = C.record_inspection(db, staff["officer"], case_id, 1, inspection_type="initial", result="violation_found",
                            now=NOW)
    with pytest.raises(ValueError, match="fine"):
        C.issue_notice(db, staff["officer"], case_id, r["case"]["version"], notice_type="amp", served_method="personal")
    r = C.issue_notice(db, staff["officer"], case_id, r["case"]["version"], notice_type="amp",
                       served_method="personal", fine_amount=300.0, now=NOW)
    assert r["case"]["status"] == "escalated"
    n = C.get_case(db, case_id, staff["clerk"])["notices"][0]
    served = C.update_notice(db, staff["clerk"], r["notice_id"], n["version"], served_at=NOW + dt.timedelta(hours=1))
    assert served["served_at"] == NOW + dt.timedelta(hours=1)


def test_officer_worklist_orders_urgent_first_then_by_distance(db, staff, reference):
    a = _complaint(db, staff, reference, address="102 King St")["case_id"]
    b = _complaint(db, staff, reference, address="104 King St")["case_id"]
    u = _complaint(db, staff, reference, address="104 King St", bylaw_type="noise", priority="urgent")["case_id"]
    officer = C.get_case(db, a, staff["supervisor"])["assigned_officer_id"]
    for case_id in (b, u):
        case = C.get_case(db, case_id, staff["supervisor"])
        if case["assigned_officer_id"] != officer:
            C.assign_case(db, staff["supervisor"], case_id, case["version"], officer, "same street")
    plan = monitoring.officer_worklist(db, staff["officer"], officer, dt.date(2026, 11, 2))
    assert list(plan["case_id"]) == [u, b, a]  # urgent first; from there, 104 King St before 102
    assert list(plan["stop"]) == [1, 2, 3] and set(plan["reason"]) == {"first inspection"}
    assert plan.loc[1, "leg_m"] == pytest.approx(0.0, abs=1.0)
