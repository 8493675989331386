"""Export the ops database's bylaw cases to landing files, so the pipeline ingests them like
the legacy case system's extracts (contracts ``bylaw_cases``, ``inspections``, ``notices``,
``remediation_works``).

A row goes out when it is new or changed since its last export (``export_id`` NULL; every
audited update clears it) and is marked with its export in the same transaction that
places the file (``warehouse.ops.export_rows``). Staging keeps the latest delivery of each
key, so an exported case replaces its legacy row. Files:
``landing/<source>/ops_<source>_<YYYY-MM-DD>.csv`` (``_<n>_`` for a second export that day).

Nothing of the complainant leaves: the complaints table is never read here, and a case
carries only its complaint's source and reference.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, Mapping

import sqlalchemy as sa

from bylaw import lifecycle
from bylaw.ops_schema import cases, inspections, notices, remediation_works
from warehouse.config import Paths, paths as resolve_paths
from warehouse.ops import OpsDB, _iso, _now, export_rows, ops_db_url


def _opt_iso(v: dt.datetime | None) -> str | None:
    return None if v is None else _iso(v)


def _opt_date(v) -> str | None:
    return None if v is None else v.isoformat()


def _money(v: float | None) -> str | None:
    return None if v is None else f"{float(v):.2f}"


def case_record(r: Mapping[str, Any]) -> dict:
    return {"case_id": r["case_id"], "complaint_source": r["complaint_source"], "complaint_ref": r["complaint_ref"],
            "opened_at": _iso(r["opened_at"]), "bylaw_type": r["bylaw_type"], "roll_number": r["roll_number"],
            "priority": r["priority"], "assigned_officer_id": r["assigned_officer_id"],
            # the landed contract knows open|closed; the detailed status is derived from the events
            "status": "closed" if r["status"] == lifecycle.CLOSED_STATUS else "open",
            "closed_at": _opt_iso(r["closed_at"]), "outcome": r["outcome"]}


def inspection_record(r: Mapping[str, Any]) -> dict:
    return {"inspection_id": r["inspection_id"], "case_id": r["case_id"], "inspected_at": _iso(r["inspected_at"]),
            "officer_id": r["officer_id"], "inspection_type": r["inspection_type"], "result": r["result"],
            "notes": r["notes"]}


def notice_record(r: Mapping[str, Any]) -> dict:
    return {"notice_id": r["notice_id"], "case_id": r["case_id"], "notice_type": r["notice_type"],
            "issued_at": _iso(r["issued_at"]), "bylaw_section": r["bylaw_section"],
            "compliance_deadline": _opt_date(r["compliance_deadline"]), "served_method": r["served_method"],
            "served_at": _opt_iso(r["served_at"]), "fine_amount": _money(r["fine_amount"])}


def remediation_record(r: Mapping[str, Any]) -> dict:
    return {"work_id": r["work_id"], "case_id": r["case_id"], "roll_number": r["roll_number"],
            "contractor": r["contractor"], "ordered_at": _iso(r["ordered_at"]),
            "completed_at": _opt_iso(r["completed_at"]), "cost": _money(r["cost"]),
            "invoiced_at": _opt_iso(r["invoiced_at"]), "added_to_tax_roll_on": _opt_date(r["added_to_tax_roll_on"]),
            "recovered_amount": _money(r["recovered_amount"]), "recovered_at": _opt_iso(r["recovered_at"])}


# (landing source, table, record, which rows are ready: the contract's required fields are there)
EXPORTS = (
    ("bylaw_cases", cases, case_record, cases.c.assigned_officer_id.is_not(None)),
    ("inspections", inspections, inspection_record, inspections.c.inspected_at.is_not(None)),
    ("notices", notices, notice_record, None),
    ("remediation_works", remediation_works, remediation_record, None),
)


def export_cases(db: OpsDB, p: Paths, now: dt.datetime | None = None) -> dict:
    now = _now(now)
    return {source: export_rows(db.engine, p, source, f"ops_{source}", table, record, now, where)
            for source, table, record, where in EXPORTS}


def export_cases_to_landing(data_dir: str | os.PathLike | Paths | None = None, now: dt.datetime | None = None) -> dict:
    """Export the data directory's ops database (``CIVIC_OPS_DB_URL`` wins) to its landing
    folder: {source: {"file", "rows"}} for bylaw_cases, inspections, notices, remediation_works."""
    p = data_dir if isinstance(data_dir, Paths) else resolve_paths(data_dir)
    db = OpsDB(ops_db_url(p))
    try:
        return export_cases(db, p, now)
    finally:
        db.dispose()


def pending_export_counts(db: OpsDB) -> dict[str, int]:
    """Rows waiting for the next export, per landing source."""
    with db.engine.connect() as c:
        out = {}
        for source, table, _, where in EXPORTS:
            q = sa.select(sa.func.count()).select_from(table).where(table.c.export_id.is_(None))
            out[source] = c.execute(q.where(where) if where is not None else q).scalar_one()
        return out
