"""Queries for the monitoring and case-file screens: a case's timeline, SLA breaches,
overdue compliance deadlines, re-inspections due, remediation by contractor, and the
tax-roll recovery export for finance (no complainant identity anywhere here)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from bylaw import lifecycle
from bylaw.audit import as_utc, utc_now
from bylaw.cases import redact_complaint
from bylaw.ops_schema import (COMPLAINANT_FIELDS, audit_log, case_status_changes, cases, complaints, inspections,
                              notices, photos, remediation_works)
from bylaw.roles import User, can, require
from data_contracts.sources import CITY_TZ
from warehouse.lake import place_file
from warehouse.ops import OpsDB, _csv_text

REINSPECTION_LOOKAHEAD_DAYS_ENV = "CIVIC_BYLAW_REINSPECTION_LOOKAHEAD_DAYS"
TAX_ROLL_COLUMNS = ["roll_number", "case_id", "work_id", "amount", "description", "date"]


def _frame(c: sa.Connection, q) -> pd.DataFrame:
    rows = [dict(r) for r in c.execute(q).mappings()]
    df = pd.DataFrame(rows)
    for col in df.columns:
        if df[col].map(lambda v: isinstance(v, dt.datetime)).any():
            df[col] = pd.to_datetime(df[col].map(as_utc), utc=True)
    return df


def case_timeline(db: OpsDB, case_id: str, viewer: User) -> list[dict]:
    """Everything that happened to the case, oldest first: complaints, status changes,
    inspections (scheduled and done), notices (issued and served), remediation (ordered,
    completed, recovered) and photos. Complaints are redacted for ``viewer``."""
    require(viewer, "timeline.view")
    ev: list[dict] = []

    def add(at, kind, summary, **details):
        if at is not None:
            ev.append({"at": as_utc(at), "kind": kind, "summary": summary, **details})

    with db.engine.connect() as c:
        if c.execute(sa.select(cases.c.case_id).where(cases.c.case_id == case_id)).first() is None:
            raise LookupError(f"case {case_id} not found")
        for r in c.execute(sa.select(complaints).where(complaints.c.case_id == case_id)).mappings():
            r = redact_complaint(dict(r), viewer)
            who = "anonymous" if r["anonymous"] else (r["complainant_name"] or "complainant")
            add(r["received_at"], "complaint", f"Complaint {r['complaint_id']} by {r['channel']} from {who}",
                ref=r["complaint_id"], description=r["description"])
        for r in c.execute(sa.select(case_status_changes).where(case_status_changes.c.case_id == case_id)
                           .order_by(case_status_changes.c.change_id)).mappings():
            add(r["changed_at"], "status", f"{r['from_status'] or 'new'} → {r['to_status']} ({r['trigger']})",
                by=r["changed_by"], note=r["note"], order=r["change_id"])
        for r in c.execute(sa.select(inspections).where(inspections.c.case_id == case_id)).mappings():
            if r["inspected_at"] is None:
                add(r["scheduled_for"], "inspection_scheduled",
                    f"{r['inspection_type']} inspection scheduled for {r['officer_id']}", ref=r["inspection_id"])
            else:
                add(r["inspected_at"], "inspection", f"{r['inspection_type']} inspection by {r['officer_id']}: {r['result']}",
                    ref=r["inspection_id"], notes=r["notes"], checklist=r["checklist"])
        for r in c.execute(sa.select(notices).where(notices.c.case_id == case_id)).mappings():
            deadline = f", comply by {r['compliance_deadline']}" if r["compliance_deadline"] else ""
            fine = f", fine ${r['fine_amount']:,.2f}" if r["fine_amount"] else ""
            add(r["issued_at"], "notice", f"{r['notice_type']} {r['notice_id']} issued{deadline}{fine}",
                ref=r["notice_id"], document_path=r["document_path"])
            add(r["served_at"], "notice_served", f"{r['notice_id']} served by {r['served_method']}", ref=r["notice_id"])
        for r in c.execute(sa.select(remediation_works).where(remediation_works.c.case_id == case_id)).mappings():
            add(r["ordered_at"], "remediation", f"Remediation {r['work_id']} ordered from {r['contractor']} "
                f"(${r['cost']:,.2f})", ref=r["work_id"])
            add(r["completed_at"], "remediation_completed", f"Remediation {r['work_id']} completed", ref=r["work_id"])
            add(r["recovered_at"], "remediation_recovered",
                f"${(r['recovered_amount'] or 0):,.2f} recovered for {r['work_id']}", ref=r["work_id"])
        for r in c.execute(sa.select(photos).where(photos.c.case_id == case_id)).mappings():
            add(r["taken_at"] or r["created_at"], "photo", f"{r['kind']} photo", ref=r["photo_id"],
                file_path=r["file_path"])
    rank = {"complaint": 0, "status": 1}
    return sorted(ev, key=lambda e: (e["at"], rank.get(e["kind"], 2), e.get("order", 0)))


def sla_breaches(db: OpsDB, now: dt.datetime | None = None) -> pd.DataFrame:
    """Open cases past an SLA target: ``breach`` is 'first_inspection' (no inspection done by
    its due time) or 'resolution' (still open past its due time); ``overdue_hours`` how late."""
    now = utc_now(now)
    done = sa.select(inspections.c.case_id).where(inspections.c.inspected_at.is_not(None))
    with db.engine.connect() as c:
        first = _frame(c, sa.select(cases, sa.literal("first_inspection").label("breach"),
                                    cases.c.first_inspection_due_at.label("due_at"))
                       .where(cases.c.status != lifecycle.CLOSED_STATUS, cases.c.first_inspection_due_at < now,
                              cases.c.case_id.not_in(done)))
        resolution = _frame(c, sa.select(cases, sa.literal("resolution").label("breach"),
                                         cases.c.resolution_due_at.label("due_at"))
                            .where(cases.c.status != lifecycle.CLOSED_STATUS, cases.c.resolution_due_at < now))
    out = pd.concat([d for d in (first, resolution) if not d.empty], ignore_index=True) if not (
        first.empty and resolution.empty) else pd.DataFrame(columns=["case_id", "breach", "due_at", "overdue_hours"])
    if not out.empty:
        out["overdue_hours"] = (pd.Timestamp(now) - out["due_at"]).dt.total_seconds() / 3600
        out = out.sort_values("overdue_hours", ascending=False).reset_index(drop=True)
    return out


def overdue_deadlines(db: OpsDB, today: dt.date | None = None) -> pd.DataFrame:
    """Open cases whose latest notice's compliance deadline has passed with no re-inspection
    since: the officer must go back."""
    today = today or dt.datetime.now(ZoneInfo(CITY_TZ)).date()
    return _deadlines(db).query("compliance_deadline < @today and not reinspected", local_dict={"today": today})


def reinspections_due(db: OpsDB, today: dt.date | None = None, within_days: int | None = None,
                      officer_id: str | None = None) -> pd.DataFrame:
    """Re-inspections an officer should plan: cases due for re-inspection, and open notices
    whose deadline falls within ``within_days`` (``CIVIC_BYLAW_REINSPECTION_LOOKAHEAD_DAYS``,
    default 7); earliest deadline first."""
    today = today or dt.datetime.now(ZoneInfo(CITY_TZ)).date()
    within = within_days if within_days is not None else int(os.environ.get(REINSPECTION_LOOKAHEAD_DAYS_ENV, 7))
    d = _deadlines(db)
    if d.empty:
        return d
    horizon = today + dt.timedelta(days=within)
    d = d[(d["status"] == "reinspection_due") | ((d["compliance_deadline"] <= horizon) & ~d["reinspected"])]
    if officer_id is not None:
        d = d[d["assigned_officer_id"] == officer_id]
    return d.sort_values(["compliance_deadline", "case_id"]).reset_index(drop=True)


def _deadlines(db: OpsDB) -> pd.DataFrame:
    latest = (sa.select(notices.c.case_id, sa.func.max(notices.c.compliance_deadline).label("compliance_deadline"),
                        sa.func.max(notices.c.issued_at).label("notice_issued_at"))
              .where(notices.c.compliance_deadline.is_not(None)).group_by(notices.c.case_id).subquery())
    last_re = (sa.select(inspections.c.case_id, sa.func.max(inspections.c.inspected_at).label("last_reinspection"))
               .where(inspections.c.inspection_type == "re_inspection", inspections.c.inspected_at.is_not(None))
               .group_by(inspections.c.case_id).subquery())
    q = (sa.select(cases.c.case_id, cases.c.status, cases.c.bylaw_type, cases.c.priority, cases.c.address,
                   cases.c.lat, cases.c.lon, cases.c.assigned_officer_id, cases.c.version,
                   latest.c.compliance_deadline, latest.c.notice_issued_at, last_re.c.last_reinspection)
         .join(latest, latest.c.case_id == cases.c.case_id)
         .outerjoin(last_re, last_re.c.case_id == cases.c.case_id)
         .where(cases.c.status != lifecycle.CLOSED_STATUS))
    with db.engine.connect() as c:
        rows = [dict(r) for r in c.execute(q).mappings()]
    cols = [col.name for col in q.selected_columns] + ["reinspected"]
    for r in rows:
        issued, re_at = as_utc(r["notice_issued_at"]), as_utc(r["last_reinspection"])
        r["reinspected"] = re_at is not None and re_at > issued
        r["compliance_deadline"] = pd.Timestamp(r["compliance_deadline"]).date()
    return pd.DataFrame(rows, columns=cols)


def remediation_by_contractor(db: OpsDB) -> pd.DataFrame:
    """Per contractor: works, completed, cost, invoiced, on the tax roll, recovered, outstanding."""
    w = remediation_works.c
    q = (sa.select(w.contractor, sa.func.count().label("works"),
                   sa.func.count(w.completed_at).label("completed"),
                   sa.func.sum(w.cost).label("cost"),
                   sa.func.sum(sa.case((w.invoiced_at.is_not(None), w.cost), else_=0)).label("invoiced"),
                   sa.func.sum(sa.case((w.added_to_tax_roll_on.is_not(None), w.cost), else_=0)).label("on_tax_roll"),
                   sa.func.sum(sa.func.coalesce(w.recovered_amount, 0)).label("recovered"))
         .group_by(w.contractor).order_by(w.contractor))
    with db.engine.connect() as c:
        df = pd.DataFrame([dict(r) for r in c.execute(q).mappings()],
                          columns=["contractor", "works", "completed", "cost", "invoiced", "on_tax_roll", "recovered"])
    df["outstanding"] = df["cost"] - df["recovered"]
    return df


def before_after_photos(db: OpsDB, case_id: str, viewer: User) -> dict[str, list[dict]]:
    """The case's 'before' and 'after' photos (oldest first), for a side-by-side view."""
    require(viewer, "case.view")
    with db.engine.connect() as c:
        rows = [dict(r) for r in c.execute(sa.select(photos).where(photos.c.case_id == case_id,
                                                                     photos.c.kind.in_(["before", "after"]))
                                            .order_by(sa.func.coalesce(photos.c.taken_at, photos.c.created_at))).mappings()]
    return {k: [r for r in rows if r["kind"] == k] for k in ("before", "after")}


def tax_roll_recoveries(db: OpsDB, viewer: User, on_or_after: dt.date | None = None) -> pd.DataFrame:
    """Remediation costs added to the tax roll and not yet recovered: one row per work, in the
    finance system's columns (roll_number, case_id, work_id, amount, description, date)."""
    require(viewer, "finance.export")
    w = remediation_works.c
    q = (sa.select(w.roll_number, w.case_id, w.work_id, w.cost, w.recovered_amount, w.description, w.contractor,
                   w.added_to_tax_roll_on, cases.c.bylaw_type)
         .join(cases, cases.c.case_id == w.case_id)
         .where(w.added_to_tax_roll_on.is_not(None), w.roll_number.is_not(None)).order_by(w.added_to_tax_roll_on, w.work_id))
    if on_or_after is not None:
        q = q.where(w.added_to_tax_roll_on >= on_or_after)
    with db.engine.connect() as c:
        rows = [dict(r) for r in c.execute(q).mappings()]
    out = []
    for r in rows:
        amount = round(float(r["cost"]) - float(r["recovered_amount"] or 0), 2)
        if amount <= 0:
            continue
        # Only the work and the bylaw: who complained never appears in a finance file.
        what = r["description"] or f"{r['bylaw_type']} remediation"
        out.append({"roll_number": r["roll_number"], "case_id": r["case_id"], "work_id": r["work_id"],
                    "amount": f"{amount:.2f}",
                    "description": f"Municipal Act s.446 remedial work ({r['contractor']}): {what}"[:200],
                    "date": pd.Timestamp(r["added_to_tax_roll_on"]).date().isoformat()})
    return pd.DataFrame(out, columns=TAX_ROLL_COLUMNS)


def export_tax_roll_csv(db: OpsDB, viewer: User, out: str | os.PathLike, on_or_after: dt.date | None = None) -> dict:
    """Write ``tax_roll_recoveries`` as a CSV (UTF-8, header row); returns the file and totals."""
    df = tax_roll_recoveries(db, viewer, on_or_after)
    text = _csv_text(TAX_ROLL_COLUMNS, df.to_dict("records"))
    place_file(Path(out), text)
    return {"file": str(out), "rows": len(df), "amount": round(float(df["amount"].astype(float).sum()), 2) if len(df) else 0.0}


def audit_trail(db: OpsDB, viewer: User, table: str | None = None, row_key: str | None = None) -> list[dict]:
    """Audit rows, newest first; complainant fields are redacted for roles that may not see them."""
    require(viewer, "audit.view")
    q = sa.select(audit_log).order_by(audit_log.c.audit_id.desc())
    if table:
        q = q.where(audit_log.c.table_name == table)
    if row_key:
        q = q.where(audit_log.c.row_key == row_key)
    with db.engine.connect() as c:
        rows = [dict(r) for r in c.execute(q).mappings()]
    hide = not can(viewer.role, "complainant.view")
    for r in rows:
        r["at"] = as_utc(r["at"])
        if hide:
            r["changes"] = {k: (["[confidential]", "[confidential]"] if k in COMPLAINANT_FIELDS else v)
                            for k, v in r["changes"].items()}
    return rows


def officer_worklist(db: OpsDB, viewer: User, officer_id: str, day: dt.date,
                     start: tuple[float, float] | None = None) -> pd.DataFrame:
    """An officer's plan for ``day`` (local): inspections scheduled that day, re-inspections
    due by then, and assigned cases still awaiting their first inspection, one row per case,
    ordered for travel by nearest neighbour from ``start`` (lat, lon; default the first
    stop). ``reason`` says why each case is on the plan; ``stop`` is its place in the order."""
    require(viewer, "case.view")
    tz = ZoneInfo(CITY_TZ)
    day_start = dt.datetime.combine(day, dt.time(0), tz).astimezone(dt.timezone.utc)
    day_end = day_start + dt.timedelta(days=1)
    plan: dict[str, dict] = {}
    with db.engine.connect() as c:
        for r in c.execute(sa.select(inspections.c.case_id, inspections.c.inspection_id, inspections.c.inspection_type,
                                     inspections.c.scheduled_for)
                           .where(inspections.c.officer_id == officer_id, inspections.c.inspected_at.is_(None),
                                  inspections.c.scheduled_for >= day_start,
                                  inspections.c.scheduled_for < day_end)).mappings():
            plan.setdefault(r["case_id"], {"reason": f"{r['inspection_type']} inspection scheduled",
                                           "inspection_id": r["inspection_id"]})
        inspected = sa.select(inspections.c.case_id).where(inspections.c.inspected_at.is_not(None))
        for r in c.execute(sa.select(cases.c.case_id).where(
                cases.c.assigned_officer_id == officer_id, cases.c.status == lifecycle.INITIAL_STATUS,
                cases.c.case_id.not_in(inspected))):
            plan.setdefault(r.case_id, {"reason": "first inspection", "inspection_id": None})
    due = reinspections_due(db, today=day, within_days=0, officer_id=officer_id)
    for case_id in (due["case_id"] if not due.empty else []):
        plan.setdefault(case_id, {"reason": "re-inspection due", "inspection_id": None})
    if not plan:
        return pd.DataFrame(columns=["stop", "case_id", "reason", "inspection_id", "status", "priority", "bylaw_type",
                                     "address", "lat", "lon", "first_inspection_due_at", "leg_m"])
    with db.engine.connect() as c:
        rows = {r["case_id"]: dict(r) for r in c.execute(
            sa.select(cases.c.case_id, cases.c.status, cases.c.priority, cases.c.bylaw_type, cases.c.address,
                      cases.c.lat, cases.c.lon, cases.c.first_inspection_due_at)
            .where(cases.c.case_id.in_(list(plan)))).mappings()}
    todo = [{**rows[k], **v} for k, v in plan.items() if k in rows]
    # urgent cases first, then the nearest next stop (cases without a location go last)
    from bylaw.properties import distance_m

    ordered, here = [], start
    for group in ("urgent", None):
        pending = [t for t in todo if (t["priority"] == "urgent") == (group == "urgent")]
        while pending:
            located = [t for t in pending if t["lat"] is not None and t["lon"] is not None]
            if here is None or not located:
                nxt = sorted(located or pending, key=lambda t: t["case_id"])[0]
                leg = None
            else:
                nxt = min(located, key=lambda t: (float(distance_m(here[0], here[1], t["lat"], t["lon"])), t["case_id"]))
                leg = float(distance_m(here[0], here[1], nxt["lat"], nxt["lon"]))
            pending.remove(nxt)
            if nxt["lat"] is not None:
                here = (nxt["lat"], nxt["lon"])
            ordered.append({**nxt, "leg_m": leg, "first_inspection_due_at": as_utc(nxt["first_inspection_due_at"])})
    out = pd.DataFrame(ordered)
    out.insert(0, "stop", range(1, len(out) + 1))
    return out
