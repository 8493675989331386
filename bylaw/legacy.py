"""Demo and migration data: the legacy case system's still-open cases into the ops database,
and one demo user per role.

``import_legacy_cases`` reads the legacy system's extracts in landing (``bylaw_cases``,
``inspections``, ``notices``; the ops export's own ``ops_*`` files are skipped) through their
data contracts, keeps the latest delivery of each case, and loads the open ones with their
inspections and notices, keeping their ids (``BL-...``, ``INS-...``, ``NTC-...``). Each case's
status is replayed from its events through the state machine (``bylaw.lifecycle``), so its
status history is the machine's. Imported rows are marked as already delivered (an
``ops_exports`` row 'legacy_import'): only what officers change afterwards is exported.
Importing twice adds nothing.

Demo users (``create_demo_users``), password ``<user id>-demo``:
  clerk / clerk-demo, officer / officer-demo (the roster's first bylaw officer),
  supervisor / supervisor-demo, analyst / analyst-demo, council / council-demo.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from bylaw import catalogue, lifecycle
from bylaw.audit import audited_insert, utc_now
from bylaw.ops_schema import case_status_changes, cases, inspections, notices, users
from bylaw.properties import Reference, landing_rows, load_reference
from bylaw.roles import SYSTEM, create_user
from data_contracts.sources import CITY_TZ
from warehouse.config import paths as resolve_paths
from warehouse.ops import OpsDB, ops_exports

DEMO_USERS = (  # (user_id, display name, role)
    ("clerk", "Casey Clerk (intake)", "clerk"),
    ("officer", "Olivia Officer", "officer"),
    ("supervisor", "Sam Supervisor", "supervisor"),
    ("analyst", "Alex Analyst", "analyst"),
    ("council", "Councillor Viewer", "council_viewer"),
)
EXPORT_PREFIX = "ops_"  # files written by bylaw.export: not the legacy system's


def demo_password(user_id: str) -> str:
    return f"{user_id}-demo"


def create_demo_users(db: OpsDB, reference: Reference | None = None) -> list[dict]:
    """One user per role (those missing); the demo officer is the roster's first bylaw officer."""
    reference = reference if reference is not None else load_reference()
    officers = reference.bylaw_officers()
    first_officer = str(sorted(officers["officer_id"])[0]) if not officers.empty else None
    with db.engine.connect() as c:
        existing = {r[0] for r in c.execute(sa.select(users.c.user_id))}
    made = []
    for user_id, name, role in DEMO_USERS:
        if user_id in existing:
            continue
        officer_id = first_officer if role == "officer" else None
        create_user(db, user_id, name, role, demo_password(user_id), officer_id=officer_id)
        made.append({"user_id": user_id, "role": role, "password": demo_password(user_id), "officer_id": officer_id})
    return made


def _legacy_rows(p, source_name: str) -> pd.DataFrame:
    return landing_rows(source_name, p, skip_prefix=EXPORT_PREFIX)


def _py(v):
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def _day(v) -> dt.date | None:
    v = _py(v)
    return v.date() if isinstance(v, dt.datetime) else v


def replay_status(events: list[dict], today: dt.date) -> list[tuple[str, str, str, dt.datetime]]:
    """The status changes the state machine makes of a case's inspections and notices
    (sorted by time), ending ``today``: [(from, to, trigger, at)]."""
    status, deadline, out = lifecycle.INITIAL_STATUS, None, []

    def fire(triggers, at):
        nonlocal status
        t = lifecycle.transition_by_trigger(status, triggers)
        if t is not None:
            out.append((status, t.to_status, t.trigger, at))
            status = t.to_status
        return t

    def deadline_check(day: dt.date, at):
        if deadline is not None and deadline < day and status in ("notice_issued", "order_issued"):
            fire("deadline_passed", at)

    for e in events:
        local_day = e["at"].astimezone(ZoneInfo(CITY_TZ)).date()
        deadline_check(local_day, e["at"])
        if e["kind"] == "inspection":
            if e["inspection_type"] == "initial":
                fire("initial_inspection", e["at"])
                if e["result"] == "complied":
                    fire("complied_at_inspection", e["at"])
            elif e["result"] == "complied":
                fire("re_inspection_complied", e["at"])
        else:
            triggers = {"compliance_notice": ("compliance_notice",), "order_to_comply": ("order_to_comply",)}.get(
                e["notice_type"], ("ticket_or_amp", "re_inspection_not_complied"))
            fire(triggers, e["at"])
            if e.get("compliance_deadline") is not None:
                deadline = e["compliance_deadline"]
    end = dt.datetime.combine(today, dt.time(6), ZoneInfo(CITY_TZ)).astimezone(dt.timezone.utc)
    deadline_check(today, end)
    return out


def import_legacy_cases(db: OpsDB, data_dir: str | os.PathLike | None = None, reference: Reference | None = None,
                        today: dt.date | None = None, now: dt.datetime | None = None) -> dict:
    """Load the legacy system's open cases (with inspections and notices) into the ops database."""
    p = resolve_paths(data_dir)
    now = utc_now(now)
    today = today or now.astimezone(ZoneInfo(CITY_TZ)).date()
    reference = reference if reference is not None else load_reference(p.data_dir)
    legacy = _legacy_rows(p, "bylaw_cases")
    legacy = legacy[legacy["status"] == "open"]
    ins = _legacy_rows(p, "inspections")
    nts = _legacy_rows(p, "notices")
    with db.engine.connect() as c:
        existing = {r[0] for r in c.execute(sa.select(cases.c.case_id))}
    todo = legacy[~legacy["case_id"].isin(existing)].sort_values("opened_at")
    counts = {"cases": 0, "inspections": 0, "notices": 0, "skipped_existing": int(legacy["case_id"].isin(existing).sum())}
    if todo.empty:
        return counts
    with db.engine.begin() as c:
        marker = c.execute(ops_exports.insert().values(
            source="legacy_import", file_name=f"legacy import from {p.landing}",
            file_sha256=hashlib.sha256(",".join(todo["case_id"]).encode()).hexdigest(), rows=len(todo),
            exported_at=now)).inserted_primary_key[0]
        for _, r in todo.iterrows():
            case_id = r["case_id"]
            opened_at = _py(r["opened_at"])
            prop = reference.property_by_roll(_py(r["roll_number"]))
            first_due, resolution_due = catalogue.sla_target(r["bylaw_type"], r["priority"]).due(opened_at)
            events = []
            for _, i in ins[ins["case_id"] == case_id].iterrows():
                events.append({"kind": "inspection", "at": _py(i["inspected_at"]), "row": i,
                               "inspection_type": i["inspection_type"], "result": i["result"]})
            for _, n in nts[nts["case_id"] == case_id].iterrows():
                events.append({"kind": "notice", "at": _py(n["issued_at"]), "row": n, "notice_type": n["notice_type"],
                               "compliance_deadline": _day(n["compliance_deadline"])})
            events.sort(key=lambda e: e["at"])
            history = replay_status(events, today)
            status = history[-1][1] if history else lifecycle.INITIAL_STATUS
            audited_insert(c, cases, dict(
                case_id=case_id, origin="legacy", status=status, complaint_source=r["complaint_source"],
                complaint_ref=_py(r["complaint_ref"]), bylaw_type=r["bylaw_type"],
                bylaw_section=catalogue.bylaw_types().get(r["bylaw_type"]) and catalogue.bylaw_section(r["bylaw_type"]),
                priority=r["priority"], roll_number=_py(r["roll_number"]), address=(prop or {}).get("address"),
                lat=(prop or {}).get("lat"), lon=(prop or {}).get("lon"), ward=(prop or {}).get("ward"),
                zone_id=(prop or {}).get("zone_id"), owner_name=(prop or {}).get("owner_name"), opened_at=opened_at,
                first_inspection_due_at=first_due, resolution_due_at=resolution_due,
                assigned_officer_id=r["assigned_officer_id"], assignment_reason="assigned in the legacy case system",
                export_id=marker), SYSTEM.user_id, now)
            c.execute(case_status_changes.insert().values(
                case_id=case_id, from_status=None, to_status=lifecycle.INITIAL_STATUS, trigger="opened",
                changed_at=opened_at, changed_by="legacy", note="imported from the legacy case system"))
            for frm, to, trig, at in history:
                c.execute(case_status_changes.insert().values(
                    case_id=case_id, from_status=frm, to_status=to, trigger=trig, changed_at=at, changed_by="legacy"))
            for e in events:
                row = e["row"]
                if e["kind"] == "inspection":
                    audited_insert(c, inspections, dict(
                        inspection_id=row["inspection_id"], case_id=case_id, inspection_type=row["inspection_type"],
                        inspected_at=e["at"], officer_id=row["officer_id"], result=row["result"],
                        notes=_py(row["notes"]), export_id=marker), SYSTEM.user_id, now)
                    counts["inspections"] += 1
                else:
                    audited_insert(c, notices, dict(
                        notice_id=row["notice_id"], case_id=case_id, notice_type=row["notice_type"], issued_at=e["at"],
                        bylaw_section=row["bylaw_section"], compliance_deadline=e["compliance_deadline"],
                        fine_amount=_py(row["fine_amount"]), served_method=row["served_method"],
                        served_at=_py(row["served_at"]), export_id=marker), SYSTEM.user_id, now)
                    counts["notices"] += 1
            counts["cases"] += 1
    return counts
