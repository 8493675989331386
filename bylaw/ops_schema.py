"""The bylaw tables of the ops database (SQLAlchemy Core, on ``warehouse.ops.metadata``).

The tables are created and changed by the Alembic migrations in ``warehouse/migrations/``
(revision 0002 made these), never by ``create_all``; a test compares the two.

Conventions:
  * times are UTC (``DateTime(timezone=True)``; SQLite hands them back naive, in UTC);
  * ``version`` counts a row's changes: an update says ``WHERE <key>=? AND version=?`` so a
    second clerk's stale edit fails instead of overwriting (``bylaw.audit.StaleRecord``);
  * ``export_id`` names the landing file that carried the row's current content (NULL:
    not exported since its last change; see ``bylaw.export``);
  * complainant identity (name, phone, email) exists only in ``complaints`` and is never
    exported.
"""

from __future__ import annotations

import sqlalchemy as sa

from warehouse.ops import metadata

ROLES = ("clerk", "officer", "supervisor", "analyst", "council_viewer")
CHANNELS = ("311_call", "portal", "phone", "email", "walk_in", "council_referral")
PRIORITIES = ("urgent", "standard", "low")
PHOTO_KINDS = ("complaint", "before", "after", "evidence")
INSPECTION_TYPES = ("initial", "re_inspection")
INSPECTION_RESULTS = ("violation_found", "no_violation", "complied", "not_complied")
NOTICE_TYPES = ("compliance_notice", "order_to_comply", "part_i_ticket", "amp")
SERVED_METHODS = ("registered_mail", "personal", "digital")


def _in(column: str, values: tuple[str, ...], name: str, nullable: bool = False) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    cond = f"{column} IN ({listed})"
    return sa.CheckConstraint(f"{column} IS NULL OR {cond}" if nullable else cond, name=name)


def _export_id() -> sa.Column:
    return sa.Column("export_id", sa.Integer, sa.ForeignKey("ops_exports.export_id"))


def _tracking() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.Column("updated_by", sa.String(64)),
    ]


users = sa.Table(
    "users", metadata,
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(128), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("officer_id", sa.String(64)),  # the roster's officer a signed-in officer is
    sa.Column("password_hash", sa.String(128), nullable=False),  # hashlib.scrypt, hex
    sa.Column("password_salt", sa.String(64), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    *_tracking(),
    _in("role", ROLES, "ck_users_role"),
)

# Named counters (case numbers per year, inspection/notice/work/complaint ids): the row is
# updated inside the creating transaction, so two clerks never get the same number.
id_sequences = sa.Table(
    "id_sequences", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("last_value", sa.Integer, nullable=False),
)

cases = sa.Table(
    "cases", metadata,
    sa.Column("case_id", sa.String(32), primary_key=True),  # the case number: CE-2026-000001 (legacy: BL-...)
    sa.Column("origin", sa.String(16), nullable=False, server_default="ops"),  # ops | legacy
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("complaint_source", sa.String(16), nullable=False),  # intake | open311 | calls_311 | proactive
    sa.Column("complaint_ref", sa.String(64)),
    sa.Column("bylaw_type", sa.String(64), nullable=False),
    sa.Column("bylaw_section", sa.String(255)),
    sa.Column("priority", sa.String(16), nullable=False),
    sa.Column("roll_number", sa.String(19)),
    sa.Column("address", sa.String(255)),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("ward", sa.String(64)),
    sa.Column("zone_id", sa.String(64)),
    sa.Column("owner_name", sa.String(255)),  # from the assessment roll: orders are addressed to the owner
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("first_inspection_due_at", sa.DateTime(timezone=True)),
    sa.Column("resolution_due_at", sa.DateTime(timezone=True)),
    sa.Column("assigned_officer_id", sa.String(64)),
    sa.Column("assignment_reason", sa.Text),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("outcome", sa.String(32)),
    sa.Column("closure_reason", sa.Text),
    *_tracking(),
    _export_id(),
    _in("priority", PRIORITIES, "ck_cases_priority"),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="ck_cases_closed_at"),
    sa.Index("ix_cases_status_type", "status", "bylaw_type"),
    sa.Index("ix_cases_roll_number", "roll_number"),
    sa.Index("ix_cases_officer", "assigned_officer_id"),
)

complaints = sa.Table(
    "complaints", metadata,
    sa.Column("complaint_id", sa.String(32), primary_key=True),  # CMP-00000001
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("address", sa.String(255)),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("roll_number", sa.String(19)),
    sa.Column("bylaw_type", sa.String(64), nullable=False),
    sa.Column("description", sa.Text),
    # Complainant identity: visible to intake and supervisors only, never exported.
    sa.Column("complainant_name", sa.String(255)),
    sa.Column("complainant_phone", sa.String(64)),
    sa.Column("complainant_email", sa.String(255)),
    sa.Column("anonymous", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("source_ref", sa.String(128), unique=True),  # e.g. open311:SR-26-0000002 (idempotent imports)
    sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.case_id")),
    *_tracking(),
    _in("channel", CHANNELS, "ck_complaints_channel"),
    sa.CheckConstraint("NOT anonymous OR (complainant_name IS NULL AND complainant_phone IS NULL "
                       "AND complainant_email IS NULL)", name="ck_complaints_anonymous"),
    sa.Index("ix_complaints_case", "case_id"),
)

inspections = sa.Table(
    "inspections", metadata,
    sa.Column("inspection_id", sa.String(32), primary_key=True),  # OI-00000001 (legacy: INS-...)
    sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.case_id"), nullable=False),
    sa.Column("inspection_type", sa.String(16), nullable=False),
    sa.Column("scheduled_for", sa.DateTime(timezone=True)),
    sa.Column("inspected_at", sa.DateTime(timezone=True)),
    sa.Column("officer_id", sa.String(64)),
    sa.Column("result", sa.String(32)),
    sa.Column("checklist", sa.JSON),  # {item: answer}, the bylaw type's checklist
    sa.Column("notes", sa.Text),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    *_tracking(),
    _export_id(),
    _in("inspection_type", INSPECTION_TYPES, "ck_inspections_type"),
    _in("result", INSPECTION_RESULTS, "ck_inspections_result", nullable=True),
    sa.CheckConstraint("(inspected_at IS NULL) = (result IS NULL)", name="ck_inspections_done"),
    sa.Index("ix_inspections_case", "case_id"),
)

notices = sa.Table(
    "notices", metadata,
    sa.Column("notice_id", sa.String(32), primary_key=True),  # ON-00000001 (legacy: NTC-...)
    sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.case_id"), nullable=False),
    sa.Column("notice_type", sa.String(32), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("issued_by", sa.String(64)),
    sa.Column("bylaw_section", sa.String(255), nullable=False),
    sa.Column("compliance_deadline", sa.Date),
    sa.Column("fine_amount", sa.Float),
    sa.Column("served_method", sa.String(32), nullable=False),
    sa.Column("served_at", sa.DateTime(timezone=True)),
    sa.Column("document_path", sa.String(512)),  # relative to the data directory
    *_tracking(),
    _export_id(),
    _in("notice_type", NOTICE_TYPES, "ck_notices_type"),
    _in("served_method", SERVED_METHODS, "ck_notices_served_method"),
    sa.Index("ix_notices_case", "case_id"),
)

remediation_works = sa.Table(
    "remediation_works", metadata,
    sa.Column("work_id", sa.String(32), primary_key=True),  # RW-00000001
    sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.case_id"), nullable=False),
    sa.Column("roll_number", sa.String(19)),
    sa.Column("contractor", sa.String(255), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    sa.Column("cost", sa.Float, nullable=False),
    sa.Column("invoiced_at", sa.DateTime(timezone=True)),
    sa.Column("added_to_tax_roll_on", sa.Date),
    sa.Column("recovered_amount", sa.Float),
    sa.Column("recovered_at", sa.DateTime(timezone=True)),
    *_tracking(),
    _export_id(),
    sa.CheckConstraint("cost >= 0", name="ck_remediation_cost"),
    sa.Index("ix_remediation_case", "case_id"),
)

photos = sa.Table(
    "photos", metadata,
    sa.Column("photo_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.case_id")),
    sa.Column("complaint_id", sa.String(32), sa.ForeignKey("complaints.complaint_id")),
    sa.Column("inspection_id", sa.String(32), sa.ForeignKey("inspections.inspection_id")),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("file_path", sa.String(512), nullable=False),  # relative to the data directory
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("taken_at", sa.DateTime(timezone=True)),  # from EXIF when present
    sa.Column("gps_lat", sa.Float),
    sa.Column("gps_lon", sa.Float),
    sa.Column("caption", sa.Text),
    *_tracking(),
    _in("kind", PHOTO_KINDS, "ck_photos_kind"),
    sa.CheckConstraint("case_id IS NOT NULL OR complaint_id IS NOT NULL", name="ck_photos_owner"),
    sa.Index("ix_photos_case", "case_id"),
)

case_status_changes = sa.Table(
    "case_status_changes", metadata,
    sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.case_id"), nullable=False),
    sa.Column("from_status", sa.String(32)),  # NULL: the case was opened
    sa.Column("to_status", sa.String(32), nullable=False),
    sa.Column("trigger", sa.String(64), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changed_by", sa.String(64), nullable=False),
    sa.Column("note", sa.Text),
    sa.Index("ix_status_changes_case", "case_id"),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("row_key", sa.String(64), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),  # insert | update | delete
    sa.Column("user_id", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changes", sa.JSON, nullable=False),  # {field: [old, new]}
    sa.Index("ix_audit_row", "table_name", "row_key"),
)

BYLAW_TABLES = (users, id_sequences, cases, complaints, inspections, notices, remediation_works, photos,
                case_status_changes, audit_log)
COMPLAINANT_FIELDS = ("complainant_name", "complainant_phone", "complainant_email")
