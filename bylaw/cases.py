"""Bylaw cases in the ops database: intake, creation and routing, inspections, notices,
remediation, photos and closure. Every function here is what a screen calls.

Each write (a) checks the acting user's role (``bylaw.roles.require``), (b) writes the
change and its audit rows in one transaction, and (c) names the case ``version`` the user
saw: when another user saved the case first it raises ``StaleCase`` and writes nothing.
Status changes go through ``bylaw.lifecycle`` (the seed CSV's state machine).

Case numbers: ``CE-<year>-<6 digits>``, counted per year of opening (``id_sequences``); the
legacy system's ``BL-...`` cases keep their ids when imported. Other ids: ``CMP-`` complaints,
``OI-`` inspections, ``ON-`` notices, ``RW-`` remediation works (8 digits each).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bylaw import catalogue, lifecycle
from bylaw.audit import StaleCase, StaleRecord, as_utc, audited_insert, audited_update, next_number, utc_now
from bylaw.ops_schema import (CHANNELS, COMPLAINANT_FIELDS, INSPECTION_RESULTS, INSPECTION_TYPES, NOTICE_TYPES,
                              PHOTO_KINDS, PRIORITIES, SERVED_METHODS, case_status_changes, cases, complaints,
                              inspections, notices, photos, remediation_works)
from bylaw.properties import Reference, distance_m, load_reference
from bylaw.roles import SYSTEM, User, can, require
from bylaw.routing import Assignment, choose_officer
from data_contracts.sources import CITY_TZ
from warehouse.config import paths as resolve_paths
from warehouse.lake import place_file
from warehouse.ops import OpsDB

__all__ = ["StaleCase", "StaleRecord"]

CASE_PREFIX = "CE"
DUPLICATE_RADIUS_ENV = "CIVIC_DUPLICATE_RADIUS_M"
DEFAULT_DUPLICATE_RADIUS_M = 75.0
REDACTED = "[confidential]"

# What each notice type may do to the case's status: the transitions out of the current
# status fired by one of these triggers (the seed CSV decides which exist).
NOTICE_TRIGGERS = {
    "compliance_notice": ("compliance_notice",),
    "order_to_comply": ("order_to_comply",),
    "part_i_ticket": ("ticket_or_amp", "re_inspection_not_complied"),
    "amp": ("ticket_or_amp", "re_inspection_not_complied"),
}


class CaseNotFound(LookupError):
    pass


# -- reads ----------------------------------------------------------------------------------

def _row(c: sa.Connection, table: sa.Table, key: Any) -> dict:
    key_col = next(iter(table.primary_key.columns))
    row = c.execute(sa.select(table).where(key_col == key)).mappings().first()
    if row is None:
        raise CaseNotFound(f"{table.name} {key} not found")
    return dict(row)


def _times(row: dict) -> dict:
    return {k: (as_utc(v) if isinstance(v, dt.datetime) else v) for k, v in row.items()}


def redact_complaint(row: dict, viewer: User | None) -> dict:
    """The complaint as ``viewer`` may see it: without the complainant's identity unless the
    role has ``complainant.view`` (clerks at intake, supervisors)."""
    out = _times(dict(row))
    if viewer is None or not can(viewer.role, "complainant.view"):
        for k in COMPLAINANT_FIELDS:
            if out.get(k) is not None:
                out[k] = REDACTED
    return out


def get_case(db: OpsDB, case_id: str, viewer: User) -> dict:
    """The case with its complaints (redacted for ``viewer``), inspections, notices,
    remediation works and photos."""
    require(viewer, "case.view")
    with db.engine.connect() as c:
        case = _times(_row(c, cases, case_id))

        def rows(table, order):
            return [_times(dict(r)) for r in c.execute(sa.select(table).where(table.c.case_id == case_id)
                                                       .order_by(order)).mappings()]
        case["complaints"] = [redact_complaint(r, viewer) for r in rows(complaints, complaints.c.received_at)]
        case["inspections"] = rows(inspections, sa.func.coalesce(inspections.c.inspected_at, inspections.c.scheduled_for))
        case["notices"] = rows(notices, notices.c.issued_at)
        case["remediation_works"] = rows(remediation_works, remediation_works.c.ordered_at)
        case["photos"] = rows(photos, photos.c.photo_id)
    return case


def list_cases(db: OpsDB, viewer: User, *, status: str | Iterable[str] | None = None, open_only: bool = False,
               officer_id: str | None = None, bylaw_type: str | None = None,
               roll_number: str | None = None) -> list[dict]:
    require(viewer, "case.view")
    q = sa.select(cases).order_by(cases.c.opened_at, cases.c.case_id)
    if status is not None:
        q = q.where(cases.c.status.in_([status] if isinstance(status, str) else list(status)))
    if open_only:
        q = q.where(cases.c.status != lifecycle.CLOSED_STATUS)
    if officer_id is not None:
        q = q.where(cases.c.assigned_officer_id == officer_id)
    if bylaw_type is not None:
        q = q.where(cases.c.bylaw_type == bylaw_type)
    if roll_number is not None:
        q = q.where(cases.c.roll_number == roll_number)
    with db.engine.connect() as c:
        return [_times(dict(r)) for r in c.execute(q).mappings()]


def open_workload(c: sa.Connection) -> dict[str, int]:
    """Open cases per assigned officer."""
    q = (sa.select(cases.c.assigned_officer_id, sa.func.count()).where(cases.c.status != lifecycle.CLOSED_STATUS)
         .where(cases.c.assigned_officer_id.is_not(None)).group_by(cases.c.assigned_officer_id))
    return {o: n for o, n in c.execute(q)}


def find_likely_duplicates(db: OpsDB, bylaw_type: str, *, roll_number: str | None = None, lat: float | None = None,
                           lon: float | None = None, radius_m: float | None = None) -> list[dict]:
    """Open cases of ``bylaw_type`` at the same roll number or within ``radius_m``
    (``CIVIC_DUPLICATE_RADIUS_M``, default 75) of the point, nearest first; each with
    ``distance_m`` (None when unknown) and ``same_property``."""
    radius = radius_m if radius_m is not None else float(os.environ.get(DUPLICATE_RADIUS_ENV, DEFAULT_DUPLICATE_RADIUS_M))
    q = sa.select(cases).where(cases.c.status != lifecycle.CLOSED_STATUS, cases.c.bylaw_type == bylaw_type)
    found = []
    with db.engine.connect() as c:
        for r in c.execute(q).mappings():
            same = roll_number is not None and r["roll_number"] == roll_number
            d = None
            if None not in (lat, lon, r["lat"], r["lon"]):
                d = float(distance_m(lat, lon, r["lat"], r["lon"]))
            if same or (d is not None and d <= radius):
                found.append({**_times(dict(r)), "distance_m": d, "same_property": same})
    return sorted(found, key=lambda r: (not r["same_property"], r["distance_m"] if r["distance_m"] is not None else 1e18))


# -- case creation ----------------------------------------------------------------------------

def _case_number(c: sa.Connection, year: int) -> str:
    return f"{CASE_PREFIX}-{year}-{next_number(c, f'case:{year}'):06d}"


def _status_change(c: sa.Connection, case_id: str, from_status: str | None, to_status: str, trigger: str,
                   user_id: str, at: dt.datetime, note: str | None = None) -> None:
    c.execute(case_status_changes.insert().values(case_id=case_id, from_status=from_status, to_status=to_status,
                                                  trigger=trigger, changed_at=at, changed_by=user_id, note=note))


def _open_case(c: sa.Connection, actor: User, *, bylaw_type: str, priority: str | None, opened_at: dt.datetime,
               roll_number: str | None, address: str | None, lat: float | None, lon: float | None,
               complaint_source: str, complaint_ref: str | None, reference: Reference, now: dt.datetime,
               assign: bool = True) -> dict:
    btype = catalogue.bylaw_type(bylaw_type)
    priority = priority or btype.default_priority
    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {PRIORITIES}, not {priority!r}")
    prop = reference.find_property(roll_number=roll_number, address=address, lat=lat, lon=lon)
    zone_id = prop["zone_id"] if prop else reference.zone_of(lat, lon)
    first_due, resolution_due = catalogue.sla_target(bylaw_type, priority).due(opened_at)
    assignment = (choose_officer(reference.bylaw_officers(), open_workload(c), bylaw_type, zone_id) if assign
                  else Assignment(None, "not assigned automatically"))
    case_id = _case_number(c, opened_at.astimezone(ZoneInfo(CITY_TZ)).year)
    audited_insert(c, cases, dict(
        case_id=case_id, origin="ops", status=lifecycle.INITIAL_STATUS, complaint_source=complaint_source,
        complaint_ref=complaint_ref, bylaw_type=bylaw_type, bylaw_section=btype.bylaw_section, priority=priority,
        roll_number=prop["roll_number"] if prop else roll_number,
        address=address or (prop or {}).get("address"),
        lat=lat if lat is not None else (prop or {}).get("lat"), lon=lon if lon is not None else (prop or {}).get("lon"),
        ward=(prop or {}).get("ward"), zone_id=zone_id, owner_name=(prop or {}).get("owner_name"),
        opened_at=opened_at, first_inspection_due_at=first_due, resolution_due_at=resolution_due,
        assigned_officer_id=assignment.officer_id, assignment_reason=assignment.reason), actor.user_id, now)
    _status_change(c, case_id, None, lifecycle.INITIAL_STATUS, "opened", actor.user_id, opened_at)
    return {"case_id": case_id, "assignment": assignment, "property": prop}


def open_case(db: OpsDB, actor: User, *, bylaw_type: str, priority: str | None = None, address: str | None = None,
              lat: float | None = None, lon: float | None = None, roll_number: str | None = None,
              opened_at: dt.datetime | None = None, reference: Reference | None = None,
              now: dt.datetime | None = None) -> dict:
    """A proactive case (an officer's own finding, no complaint). Returns case_id, the
    assignment (officer and reason) and the matched property."""
    require(actor, "case.create")
    now = utc_now(now)
    with db.engine.begin() as c:
        return _open_case(c, actor, bylaw_type=bylaw_type, priority=priority, opened_at=utc_now(opened_at or now),
                          roll_number=roll_number, address=address, lat=lat, lon=lon, complaint_source="proactive",
                          complaint_ref=None, reference=reference or load_reference(), now=now)


def create_complaint(db: OpsDB, actor: User, *, channel: str, bylaw_type: str, received_at: dt.datetime | None = None,
                     address: str | None = None, lat: float | None = None, lon: float | None = None,
                     description: str | None = None, complainant_name: str | None = None,
                     complainant_phone: str | None = None, complainant_email: str | None = None,
                     anonymous: bool = False, priority: str | None = None, attach_to_case_id: str | None = None,
                     source_ref: str | None = None, reference: Reference | None = None,
                     now: dt.datetime | None = None) -> dict:
    """Record a complaint and open a new case for it, or attach it to ``attach_to_case_id``
    (an open case the clerk picked from ``find_likely_duplicates``). Returns complaint_id,
    case_id, created_case and, for a new case, assignment and property."""
    require(actor, "complaint.create")
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}, not {channel!r}")
    catalogue.bylaw_type(bylaw_type)
    if not (address or (lat is not None and lon is not None)):
        raise ValueError("a complaint needs a location: an address or a map point")
    ident = {"complainant_name": complainant_name, "complainant_phone": complainant_phone,
             "complainant_email": complainant_email}
    ident = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in ident.items()}
    if anonymous:
        ident = dict.fromkeys(ident)  # anonymous means nothing is kept, not just hidden
    now = utc_now(now)
    received_at = utc_now(received_at or now)
    reference = reference or load_reference()
    prop = reference.find_property(address=address, lat=lat, lon=lon)
    with db.engine.begin() as c:
        complaint_id = f"CMP-{next_number(c, 'complaint'):08d}"
        result: dict[str, Any] = {"complaint_id": complaint_id, "created_case": False}
        if attach_to_case_id:
            case = _row(c, cases, attach_to_case_id)
            if case["status"] == lifecycle.CLOSED_STATUS:
                raise ValueError(f"case {attach_to_case_id} is closed: open a new case instead")
            result["case_id"] = attach_to_case_id
        else:
            portal = source_ref is not None and source_ref.startswith("open311:")
            opened = _open_case(c, actor, bylaw_type=bylaw_type, priority=priority, opened_at=received_at,
                                roll_number=None, address=address, lat=lat, lon=lon,
                                complaint_source="open311" if portal else "intake",
                                complaint_ref=source_ref.split(":", 1)[1] if portal else complaint_id,
                                reference=reference, now=now)
            result.update(case_id=opened["case_id"], created_case=True, assignment=opened["assignment"],
                          property=opened["property"])
        audited_insert(c, complaints, dict(
            complaint_id=complaint_id, channel=channel, received_at=received_at, address=address, lat=lat, lon=lon,
            roll_number=prop["roll_number"] if prop else None, bylaw_type=bylaw_type, description=description,
            anonymous=bool(anonymous), source_ref=source_ref, case_id=result["case_id"], **ident), actor.user_id, now)
    return result


# -- changes to a case -----------------------------------------------------------------------

def _update_case(c, actor: User, case_id: str, expected_version: int, changes: dict, now: dt.datetime) -> dict:
    return audited_update(c, cases, case_id, expected_version, changes, actor.user_id, now)


def _transition(c, actor: User, case: dict, to_status: str, trigger: str | None, now: dt.datetime,
                at: dt.datetime | None = None, note: str | None = None, extra: dict | None = None) -> dict:
    t = lifecycle.check_transition(case["status"], to_status, trigger)
    updated = _update_case(c, actor, case["case_id"], case["version"], {"status": to_status, **(extra or {})}, now)
    _status_change(c, case["case_id"], case["status"], to_status, t.trigger, actor.user_id, at or now, note)
    return updated


def _locked_case(c, case_id: str, expected_version: int) -> dict:
    case = _row(c, cases, case_id)
    if case["version"] != expected_version:
        raise StaleCase("cases", case_id, expected_version, case)
    return case


def change_status(db: OpsDB, actor: User, case_id: str, expected_version: int, to_status: str,
                  trigger: str | None = None, note: str | None = None, now: dt.datetime | None = None) -> dict:
    """A status change the state machine allows (``InvalidTransition`` otherwise). Closing
    goes through ``close_case`` (it needs an outcome)."""
    require(actor, "status.change")
    if to_status == lifecycle.CLOSED_STATUS:
        raise ValueError("close a case with close_case(): it needs an outcome and a reason")
    now = utc_now(now)
    with db.engine.begin() as c:
        return _times(_transition(c, actor, _locked_case(c, case_id, expected_version), to_status, trigger, now, note=note))


def update_case(db: OpsDB, actor: User, case_id: str, expected_version: int, *, priority: str | None = None,
                address: str | None = None, lat: float | None = None, lon: float | None = None,
                bylaw_section: str | None = None, now: dt.datetime | None = None) -> dict:
    """Edit the case's details; a new priority moves its SLA due times."""
    require(actor, "case.edit")
    now = utc_now(now)
    with db.engine.begin() as c:
        case = _locked_case(c, case_id, expected_version)
        changes = {k: v for k, v in dict(address=address, lat=lat, lon=lon, bylaw_section=bylaw_section).items()
                   if v is not None}
        if priority is not None:
            if priority not in PRIORITIES:
                raise ValueError(f"priority must be one of {PRIORITIES}, not {priority!r}")
            first_due, resolution_due = catalogue.sla_target(case["bylaw_type"], priority).due(as_utc(case["opened_at"]))
            changes.update(priority=priority, first_inspection_due_at=first_due, resolution_due_at=resolution_due)
        return _times(_update_case(c, actor, case_id, expected_version, changes, now))


def assign_case(db: OpsDB, actor: User, case_id: str, expected_version: int, officer_id: str, reason: str,
                now: dt.datetime | None = None) -> dict:
    """Reassign a case by hand (a supervisor); the reason is kept with the case."""
    require(actor, "case.assign")
    now = utc_now(now)
    with db.engine.begin() as c:
        return _times(_update_case(c, actor, case_id, expected_version, {
            "assigned_officer_id": officer_id, "assignment_reason": f"{officer_id}: assigned by {actor.user_id}: {reason}"},
            now))


def schedule_inspection(db: OpsDB, actor: User, case_id: str, scheduled_for: dt.datetime, *,
                        inspection_type: str = "initial", officer_id: str | None = None,
                        now: dt.datetime | None = None) -> str:
    """Put an inspection on an officer's plan (the case's officer unless named). Returns its id."""
    require(actor, "inspection.schedule")
    if inspection_type not in INSPECTION_TYPES:
        raise ValueError(f"inspection_type must be one of {INSPECTION_TYPES}")
    now = utc_now(now)
    with db.engine.begin() as c:
        case = _row(c, cases, case_id)
        if case["status"] == lifecycle.CLOSED_STATUS:
            raise ValueError(f"case {case_id} is closed")
        inspection_id = f"OI-{next_number(c, 'inspection'):08d}"
        audited_insert(c, inspections, dict(
            inspection_id=inspection_id, case_id=case_id, inspection_type=inspection_type,
            scheduled_for=utc_now(scheduled_for), officer_id=officer_id or case["assigned_officer_id"]),
            actor.user_id, now)
    return inspection_id


def record_inspection(db: OpsDB, actor: User, case_id: str, expected_version: int, *, inspection_type: str,
                      result: str, inspected_at: dt.datetime | None = None, checklist: dict | None = None,
                      notes: str | None = None, lat: float | None = None, lon: float | None = None,
                      inspection_id: str | None = None, officer_id: str | None = None,
                      now: dt.datetime | None = None) -> dict:
    """Record an inspection (completing the scheduled ``inspection_id`` when given) and the
    status change it implies under the state machine:
      initial inspection: received -> investigated, and -> complied when found complied;
      re-inspection found complied: -> complied (from notice/order issued or re-inspection due).
    Any other result leaves the status alone (the next notice or closure moves it).
    Returns {"inspection_id", "case"}."""
    require(actor, "inspection.record")
    if inspection_type not in INSPECTION_TYPES or result not in INSPECTION_RESULTS:
        raise ValueError(f"inspection_type in {INSPECTION_TYPES}, result in {INSPECTION_RESULTS}")
    now = utc_now(now)
    at = utc_now(inspected_at or now)
    with db.engine.begin() as c:
        case = _locked_case(c, case_id, expected_version)
        officer = officer_id or actor.officer_id or case["assigned_officer_id"]
        values = dict(inspection_type=inspection_type, inspected_at=at, officer_id=officer, result=result,
                      checklist=checklist, notes=notes, lat=lat, lon=lon)
        if inspection_id:
            planned = _row(c, inspections, inspection_id)
            if planned["case_id"] != case_id or planned["inspected_at"] is not None:
                raise ValueError(f"inspection {inspection_id} is not a scheduled inspection of case {case_id}")
            audited_update(c, inspections, inspection_id, planned["version"], values, actor.user_id, now)
        else:
            inspection_id = f"OI-{next_number(c, 'inspection'):08d}"
            audited_insert(c, inspections, dict(inspection_id=inspection_id, case_id=case_id, **values),
                           actor.user_id, now)
        if inspection_type == "initial":
            case = _transition(c, actor, case, "investigated", "initial_inspection", now, at=at)
            if result == "complied":
                case = _transition(c, actor, case, "complied", "complied_at_inspection", now, at=at)
        elif result == "complied":
            t = lifecycle.transition_by_trigger(case["status"], "re_inspection_complied")
            if t is None:
                raise lifecycle.InvalidTransition(case["status"], "complied", "re_inspection_complied")
            case = _transition(c, actor, case, t.to_status, t.trigger, now, at=at)
        else:
            # the inspection is a change to the case too: a concurrent edit must not pass unnoticed
            case = _update_case(c, actor, case_id, case["version"], {"updated_at": now}, now)
    return {"inspection_id": inspection_id, "case": _times(case)}


def issue_notice(db: OpsDB, actor: User, case_id: str, expected_version: int, *, notice_type: str,
                 served_method: str, compliance_deadline: dt.date | None = None, fine_amount: float | None = None,
                 issued_at: dt.datetime | None = None, bylaw_section: str | None = None,
                 served_at: dt.datetime | None = None, document_path: str | None = None,
                 now: dt.datetime | None = None) -> dict:
    """Issue a notice, order, Part I ticket or AMP, with the status change it fires
    (``NOTICE_TRIGGERS``; a further ticket on an escalated case changes nothing).
    Returns {"notice_id", "notice_version", "case"}: the notice row's version, for a
    following ``update_notice`` (the rendered document's path, say)."""
    require(actor, "notice.issue")
    if notice_type not in NOTICE_TYPES or served_method not in SERVED_METHODS:
        raise ValueError(f"notice_type in {NOTICE_TYPES}, served_method in {SERVED_METHODS}")
    if notice_type in ("compliance_notice", "order_to_comply") and compliance_deadline is None:
        raise ValueError(f"a {notice_type} needs a compliance deadline")
    if notice_type in ("part_i_ticket", "amp") and fine_amount is None:
        raise ValueError(f"a {notice_type} needs a fine amount")
    now = utc_now(now)
    at = utc_now(issued_at or now)
    with db.engine.begin() as c:
        case = _locked_case(c, case_id, expected_version)
        t = lifecycle.transition_by_trigger(case["status"], NOTICE_TRIGGERS[notice_type])
        leads_to = {x.to_status for x in lifecycle.allowed_transitions() if x.trigger in NOTICE_TRIGGERS[notice_type]}
        if t is None and case["status"] not in leads_to:
            raise lifecycle.InvalidTransition(case["status"], sorted(leads_to)[0], NOTICE_TRIGGERS[notice_type][0])
        notice_id = f"ON-{next_number(c, 'notice'):08d}"
        audited_insert(c, notices, dict(
            notice_id=notice_id, case_id=case_id, notice_type=notice_type, issued_at=at, issued_by=actor.user_id,
            bylaw_section=bylaw_section or case["bylaw_section"] or catalogue.bylaw_section(case["bylaw_type"]),
            compliance_deadline=compliance_deadline, fine_amount=fine_amount, served_method=served_method,
            served_at=utc_now(served_at) if served_at else None, document_path=document_path), actor.user_id, now)
        if t is not None:
            case = _transition(c, actor, case, t.to_status, t.trigger, now, at=at, note=notice_id)
        else:
            case = _update_case(c, actor, case_id, case["version"], {"updated_at": now}, now)
        notice_version = c.execute(sa.select(notices.c.version).where(notices.c.notice_id == notice_id)).scalar_one()
    return {"notice_id": notice_id, "notice_version": notice_version, "case": _times(case)}


def update_notice(db: OpsDB, actor: User, notice_id: str, expected_version: int, *,
                  served_at: dt.datetime | None = None, served_method: str | None = None,
                  document_path: str | None = None, now: dt.datetime | None = None) -> dict:
    """Record service (when and how a notice was served) or the rendered document's path."""
    require(actor, "notice.serve")
    if served_method is not None and served_method not in SERVED_METHODS:
        raise ValueError(f"served_method must be one of {SERVED_METHODS}")
    changes = {k: v for k, v in dict(served_at=utc_now(served_at) if served_at else None, served_method=served_method,
                                     document_path=document_path).items() if v is not None}
    with db.engine.begin() as c:
        return _times(audited_update(c, notices, notice_id, expected_version, changes, actor.user_id, utc_now(now)))


def close_case(db: OpsDB, actor: User, case_id: str, expected_version: int, outcome: str, reason: str,
               closed_at: dt.datetime | None = None, now: dt.datetime | None = None) -> dict:
    """Close with an outcome (``lifecycle.OUTCOMES``) and a reason, where the state machine
    allows closing from the case's status."""
    require(actor, "case.close")
    if outcome not in lifecycle.OUTCOMES:
        raise ValueError(f"outcome must be one of {lifecycle.OUTCOMES}, not {outcome!r}")
    if not (reason or "").strip():
        raise ValueError("closing a case needs a reason")
    now = utc_now(now)
    at = utc_now(closed_at or now)
    with db.engine.begin() as c:
        case = _locked_case(c, case_id, expected_version)
        return _times(_transition(c, actor, case, lifecycle.CLOSED_STATUS, None, now, at=at, note=reason.strip(),
                                  extra=dict(closed_at=at, outcome=outcome, closure_reason=reason.strip())))


def mark_deadlines_passed(db: OpsDB, today: dt.date | None = None, actor: User = SYSTEM,
                          now: dt.datetime | None = None) -> list[str]:
    """Move cases whose latest notice's compliance deadline is before ``today`` (local) from
    notice/order issued to re-inspection due (trigger ``deadline_passed``). A daily job and
    the monitoring screen call it; returns the cases moved."""
    now = utc_now(now)
    today = today or now.astimezone(ZoneInfo(CITY_TZ)).date()
    moved = []
    with db.engine.connect() as c:
        latest = (sa.select(notices.c.case_id, sa.func.max(notices.c.compliance_deadline).label("deadline"))
                  .where(notices.c.compliance_deadline.is_not(None)).group_by(notices.c.case_id).subquery())
        candidates = [dict(r) for r in c.execute(
            sa.select(cases.c.case_id, cases.c.status, cases.c.version, latest.c.deadline)
            .join(latest, latest.c.case_id == cases.c.case_id)
            .where(latest.c.deadline < today)).mappings()]
    for cand in candidates:
        t = lifecycle.transition_by_trigger(cand["status"], "deadline_passed")
        if t is None:
            continue
        try:
            with db.engine.begin() as c:
                case = _locked_case(c, cand["case_id"], cand["version"])
                _transition(c, actor, case, t.to_status, t.trigger, now, note=f"deadline {cand['deadline']}")
            moved.append(cand["case_id"])
        except StaleRecord:
            continue  # someone is working on it right now; the next run looks again
    return moved


# -- remediation -----------------------------------------------------------------------------

def order_remediation(db: OpsDB, actor: User, case_id: str, expected_version: int, *, contractor: str,
                      cost: float, description: str | None = None, ordered_at: dt.datetime | None = None,
                      now: dt.datetime | None = None) -> dict:
    """Order remedial work by a contractor at the owner's cost (Municipal Act s.446). A case
    due for re-inspection escalates (trigger ``re_inspection_not_complied``). Returns
    {"work_id", "case"}."""
    require(actor, "remediation.manage")
    if cost < 0:
        raise ValueError("cost cannot be negative")
    now = utc_now(now)
    at = utc_now(ordered_at or now)
    with db.engine.begin() as c:
        case = _locked_case(c, case_id, expected_version)
        work_id = f"RW-{next_number(c, 'remediation'):08d}"
        audited_insert(c, remediation_works, dict(
            work_id=work_id, case_id=case_id, roll_number=case["roll_number"], contractor=contractor.strip(),
            description=description, ordered_at=at, cost=float(cost)), actor.user_id, now)
        t = lifecycle.transition_by_trigger(case["status"], "re_inspection_not_complied")
        if t is not None:
            case = _transition(c, actor, case, t.to_status, t.trigger, now, at=at, note=work_id)
        elif case["status"] != "escalated":
            raise lifecycle.InvalidTransition(case["status"], "escalated", "re_inspection_not_complied")
        else:
            case = _update_case(c, actor, case_id, case["version"], {"updated_at": now}, now)
    return {"work_id": work_id, "case": _times(case)}


def update_remediation(db: OpsDB, actor: User, work_id: str, expected_version: int, *,
                       completed_at: dt.datetime | None = None, cost: float | None = None,
                       invoiced_at: dt.datetime | None = None, added_to_tax_roll_on: dt.date | None = None,
                       recovered_amount: float | None = None, recovered_at: dt.datetime | None = None,
                       now: dt.datetime | None = None) -> dict:
    """Completion, final cost, invoice, addition to the tax roll, recovery."""
    require(actor, "remediation.manage")
    changes = dict(completed_at=completed_at and utc_now(completed_at), cost=cost,
                   invoiced_at=invoiced_at and utc_now(invoiced_at), added_to_tax_roll_on=added_to_tax_roll_on,
                   recovered_amount=recovered_amount, recovered_at=recovered_at and utc_now(recovered_at))
    with db.engine.begin() as c:
        return _times(audited_update(c, remediation_works, work_id, expected_version,
                                     {k: v for k, v in changes.items() if v is not None}, actor.user_id, utc_now(now)))


# -- photos ---------------------------------------------------------------------------------

def photo_metadata(data: bytes) -> dict:
    """``taken_at`` (UTC; EXIF local time read in the city's zone unless it states an offset)
    and ``gps_lat``/``gps_lon`` from the image's EXIF, each None when absent."""
    from PIL import Image

    out = {"taken_at": None, "gps_lat": None, "gps_lon": None}
    try:
        exif = Image.open(io.BytesIO(data)).getexif()
    except Exception:  # not an image Pillow reads: keep the file, without metadata
        return out
    sub = exif.get_ifd(0x8769)
    stamp = sub.get(36867) or sub.get(36868) or exif.get(306)  # DateTimeOriginal, Digitized, DateTime
    if stamp:
        try:
            t = dt.datetime.strptime(str(stamp).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
            offset = sub.get(36881)  # OffsetTimeOriginal, e.g. "-04:00"
            t = (dt.datetime.fromisoformat(t.isoformat() + offset) if offset
                 else t.replace(tzinfo=ZoneInfo(CITY_TZ)))
            out["taken_at"] = t.astimezone(dt.timezone.utc)
        except ValueError:
            pass
    gps = exif.get_ifd(0x8825)
    if gps.get(2) and gps.get(4):
        def deg(v, ref):
            d = float(v[0]) + float(v[1]) / 60 + float(v[2]) / 3600
            return -d if ref in ("S", "W") else d
        out["gps_lat"], out["gps_lon"] = deg(gps[2], gps.get(1, "N")), deg(gps[4], gps.get(3, "E"))
    return out


def add_photo(db: OpsDB, actor: User, image: bytes | str | os.PathLike, *, kind: str, case_id: str | None = None,
              complaint_id: str | None = None, inspection_id: str | None = None, caption: str | None = None,
              file_name: str | None = None, data_dir: str | os.PathLike | None = None,
              now: dt.datetime | None = None) -> dict:
    """Store a photo under ``<data dir>/ops/photos/<case or complaint>/<sha256><ext>`` with the
    time and GPS position its EXIF says; returns the photo row."""
    require(actor, "photo.add")
    if kind not in PHOTO_KINDS:
        raise ValueError(f"kind must be one of {PHOTO_KINDS}")
    if not (case_id or complaint_id):
        raise ValueError("a photo belongs to a case or a complaint")
    if isinstance(image, (str, os.PathLike)):
        file_name = file_name or Path(image).name
        data = Path(image).read_bytes()
    else:
        data = bytes(image)
    sha = hashlib.sha256(data).hexdigest()
    ext = (Path(file_name).suffix.lower() if file_name else "") or ".jpg"
    base = resolve_paths(data_dir).data_dir
    rel = Path("ops") / "photos" / (case_id or complaint_id) / f"{sha}{ext}"
    target = base / rel
    if not target.exists():
        place_file(target, data)
    meta = photo_metadata(data)
    now = utc_now(now)
    with db.engine.begin() as c:
        photo_id = audited_insert(c, photos, dict(
            case_id=case_id, complaint_id=complaint_id, inspection_id=inspection_id, kind=kind,
            file_path=rel.as_posix(), sha256=sha, caption=caption, **meta), actor.user_id, now)
        return _times(_row(c, photos, photo_id))


def photo_file(row: dict, data_dir: str | os.PathLike | None = None) -> Path:
    """Where a photo row's file is."""
    return resolve_paths(data_dir).data_dir / row["file_path"]


def copy_photo(row: dict, dest: str | os.PathLike, data_dir: str | os.PathLike | None = None) -> Path:
    return Path(shutil.copy2(photo_file(row, data_dir), dest))
