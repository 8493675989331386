"""The ops database: operational writes from the screens (officer review decisions and the
tickets they produce), and their export to landing files so the pipeline ingests them like
any other source.

Where: ``CIVIC_OPS_DB_URL`` (any SQLAlchemy URL; PostgreSQL in production), else SQLite at
``$CIVIC_DATA_DIR/ops/ops.sqlite``. Opening it migrates it to the newest schema (Alembic,
``warehouse/migrations/``; idempotent): these tables, and the bylaw case tables of
``bylaw/ops_schema.py``.

Tables:
  ``review_decisions``  one row per reviewed ALPR detection (``read_id`` unique): confirmed or
                        rejected, the reason, who (``officer_id``) and when (``decided_at``,
                        UTC), how a confirmed one is issued (windshield | mail) and its ticket.
  ``review_tickets``    the ticket of each confirmed detection, with every field a handheld
                        ticket has (``detection_source`` 'alpr', ``evidence_ref`` the photo).
  ``ops_exports``       one row per landing file written; ``export_id`` on a decision or a
                        ticket says which file carried it (NULL: not exported yet).
  ``mto_owner_records`` the registered owner of a mailed ticket, from an MTO look-up response
                        (``warehouse/mto_responses.py``); ``ticket_number`` unique. Personal
                        information: never exported, and deleted once the ticket is settled.

A confirmation writes the decision and its ticket in one transaction. Deciding a detection
that is already decided (two officers at once) raises ``AlreadyDecided``: the unique
``read_id`` makes the database, not the screen, the judge.

Ticket numbers: ``RV`` + the decision's id zero-padded to 8 digits (``RV00000042``): unique
because the id is the database's own key, deterministic, and in a prefix no handheld
writer uses. Rejections use ids too, so the numbers of confirmed tickets have gaps.

The ticket's ``issued_at`` is the time of the offence (the camera read), as a camera
ticket states it; ``decided_at`` keeps when the officer confirmed it.

Export (``export_to_landing``): decisions and tickets not exported yet are written to
``landing/review_decisions/review_decisions_<YYYY-MM-DD>.csv`` and
``landing/handheld_tickets/review_tickets_<YYYY-MM-DD>.csv`` (the handheld writers' CSV
format), dated by the export's local day; a second export the same day is named
``..._<n>_<YYYY-MM-DD>.csv``. A row is marked with its export in the same transaction that
places the file, so nothing is exported twice (and the ingestion ignores a file whose
content it has seen).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from data_contracts.sources import CITY_TZ, SOURCES
from warehouse.config import Paths, paths as resolve_paths
from warehouse.lake import place_file

OPS_DB_URL_ENV = "CIVIC_OPS_DB_URL"
TICKET_PREFIX = "RV"


def _allowed(field: str) -> tuple[str, ...]:
    return next(f.allowed for f in SOURCES["review_decisions"].fields if f.name == field)


# The values are the landed source's contract (data_contracts/sources.py: review_decisions).
DECISIONS = _allowed("decision")
ISSUE_METHODS = _allowed("issue_method")
# Why a detection is rejected, as the screen lists it; 'other' needs a note.
REJECT_REASONS: dict[str, str] = dict(zip(_allowed("reason"), (
    "Misread plate", "Valid payment/permit shown", "Vehicle not parked", "Signage issue", "Other")))

metadata = sa.MetaData()

ops_exports = sa.Table(
    "ops_exports", metadata,
    sa.Column("export_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("exported_at", sa.DateTime(timezone=True), nullable=False),
)

review_decisions = sa.Table(
    "review_decisions", metadata,
    sa.Column("decision_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("read_id", sa.String(64), nullable=False, unique=True),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(64)),
    sa.Column("reason_note", sa.Text),
    sa.Column("officer_id", sa.String(64), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("issue_method", sa.String(16)),
    sa.Column("ticket_number", sa.String(23), unique=True),
    sa.Column("export_id", sa.Integer, sa.ForeignKey("ops_exports.export_id")),
    sa.CheckConstraint("decision IN ('confirmed', 'rejected')", name="ck_review_decisions_decision"),
    sa.CheckConstraint("issue_method IS NULL OR issue_method IN ('windshield', 'mail')",
                       name="ck_review_decisions_issue_method"),
    # the ticket number is set in the confirming transaction, once the decision's id is known
    sa.CheckConstraint("decision = 'confirmed' OR ticket_number IS NULL", name="ck_review_decisions_ticket"),
)

review_tickets = sa.Table(
    "review_tickets", metadata,
    sa.Column("ticket_number", sa.String(23), primary_key=True),
    sa.Column("decision_id", sa.Integer, sa.ForeignKey("review_decisions.decision_id"), nullable=False, unique=True),
    sa.Column("read_id", sa.String(64), nullable=False, unique=True),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("officer_id", sa.String(64), nullable=False),
    sa.Column("bylaw_code", sa.String(32), nullable=False),
    sa.Column("violation_type", sa.String(64), nullable=False),
    sa.Column("fine_amount", sa.Float, nullable=False),
    sa.Column("plate", sa.String(16), nullable=False),
    sa.Column("province", sa.String(8), nullable=False),
    sa.Column("make", sa.String(64)),
    sa.Column("model", sa.String(64)),
    sa.Column("colour", sa.String(64)),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("street_address", sa.String(255), nullable=False),
    sa.Column("blockface_id", sa.String(64)),
    sa.Column("zone_id", sa.String(64)),
    sa.Column("issue_method", sa.String(16), nullable=False),
    sa.Column("detection_source", sa.String(16), nullable=False, server_default="alpr"),
    sa.Column("evidence_ref", sa.String(255)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("export_id", sa.Integer, sa.ForeignKey("ops_exports.export_id")),
)


# Owner data lives here, not in the lake or the snapshot: it is deleted row by row once a
# ticket is settled, and export_to_landing never reads this table.
mto_owner_records = sa.Table(
    "mto_owner_records", metadata,
    sa.Column("ticket_number", sa.String(23), primary_key=True),
    sa.Column("request_batch_id", sa.Integer, nullable=False),  # mto_lookup_batches in the look-up ledger
    sa.Column("issue_date", sa.Date, nullable=False),
    sa.Column("record_date", sa.Date, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("response_file", sa.String(255), nullable=False),
    sa.Column("response_sha256", sa.String(64), nullable=False),
    sa.Column("owner_name_1", sa.String(50), nullable=False),
    sa.Column("owner_name_2", sa.String(50)),
    sa.Column("owner_address", sa.String(40)),
    sa.Column("owner_city", sa.String(40)),
    sa.Column("owner_province", sa.String(2), nullable=False),
    sa.Column("owner_postal_code", sa.String(6)),
    sa.Column("vehicle_make", sa.String(4)),
    sa.Column("vehicle_year", sa.Integer),
    sa.Column("vehicle_colour", sa.String(3)),
    sa.Column("plate_expiry", sa.String(7)),
    sa.Column("mto_code", sa.String(6)),
    sa.Column("mto_message", sa.String(29)),
)


class AlreadyDecided(Exception):
    """The detection was decided before (by this or another officer)."""

    def __init__(self, read_id: str, previous: Mapping[str, Any] | None = None):
        who = f" by {previous['officer_id']} at {previous['decided_at']} ({previous['decision']})" if previous else ""
        super().__init__(f"detection {read_id} was already decided{who}")
        self.read_id = read_id
        self.previous = dict(previous) if previous else None


@dataclass(frozen=True)
class Detection:
    """What a ticket needs from a detection (a row of ``enforcement.enf_review_queue``)."""

    read_id: str
    captured_at: dt.datetime
    plate: str
    province: str
    violation_type: str
    bylaw_code: str
    fine_amount: float
    lat: float
    lon: float
    street_address: str
    blockface_id: str | None = None
    zone_id: str | None = None
    image_ref: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "Detection":
        values = {k: (None if _missing(row.get(k)) else row.get(k)) for k in cls.__dataclass_fields__}
        at = values["captured_at"]
        values["captured_at"] = at.to_pydatetime() if hasattr(at, "to_pydatetime") else at  # a pandas Timestamp
        return cls(**values)

    @property
    def evidence_ref(self) -> str:
        # The photo; without one, the read itself (the simulator's handheld writers say EV-<read>).
        return self.image_ref or f"EV-{self.read_id}"


def _missing(v: Any) -> bool:
    try:
        return v is None or v != v  # NaN / NaT
    except (TypeError, ValueError):
        return False


def ops_db_url(p: Paths | None = None) -> str:
    """``CIVIC_OPS_DB_URL``, else SQLite at ``<data dir>/ops/ops.sqlite``."""
    url = os.environ.get(OPS_DB_URL_ENV)
    if url:
        return url
    return f"sqlite:///{((p or resolve_paths()).data_dir / 'ops' / 'ops.sqlite').as_posix()}"


def _utc(v: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes: they were written in UTC."""
    if v is None:
        return None
    return v.replace(tzinfo=dt.timezone.utc) if v.tzinfo is None else v.astimezone(dt.timezone.utc)


class OpsDB:
    """The ops database behind one SQLAlchemy engine (thread-safe; one per process is enough)."""

    def __init__(self, url: str | None = None):
        self.url = url or ops_db_url()
        u = sa.engine.make_url(self.url)
        if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
            # Wait for another writer (two screens, the export) rather than fail at once.
            self.engine = sa.create_engine(self.url, connect_args={"timeout": 30})
        else:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True)
        # Schema changes are Alembic revisions (warehouse/migrations/), never create_all.
        from warehouse.migrations import upgrade

        upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- reads ---------------------------------------------------------------------------

    def decided_read_ids(self) -> set[str]:
        with self.engine.connect() as c:
            return {r[0] for r in c.execute(sa.select(review_decisions.c.read_id))}

    def decision(self, read_id: str) -> dict | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(review_decisions).where(review_decisions.c.read_id == read_id)).mappings().first()
        return _decision_dict(row) if row else None

    def decisions(self, since: dt.datetime | None = None, officer_id: str | None = None) -> list[dict]:
        q = sa.select(review_decisions).order_by(review_decisions.c.decision_id)
        if since is not None:
            q = q.where(review_decisions.c.decided_at >= since.astimezone(dt.timezone.utc))
        if officer_id is not None:
            q = q.where(review_decisions.c.officer_id == officer_id)
        with self.engine.connect() as c:
            return [_decision_dict(r) for r in c.execute(q).mappings()]

    def ticket(self, ticket_number: str) -> dict | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(review_tickets).where(review_tickets.c.ticket_number == ticket_number)).mappings().first()
        return None if row is None else {**row, "issued_at": _utc(row["issued_at"]), "created_at": _utc(row["created_at"])}

    # -- writes --------------------------------------------------------------------------

    def confirm(self, detection: Detection, officer_id: str, issue_method: str, *, make: str | None = None,
                model: str | None = None, colour: str | None = None, street_address: str | None = None,
                now: dt.datetime | None = None) -> dict:
        """Confirm a detection: the decision and its ticket, in one transaction. Returns the decision."""
        if issue_method not in ISSUE_METHODS:
            raise ValueError(f"issue_method must be one of {ISSUE_METHODS}, not {issue_method!r}")
        decided_at = _now(now)
        with self._deciding(detection.read_id) as c:
            decision_id = c.execute(review_decisions.insert().values(
                read_id=detection.read_id, decision="confirmed", officer_id=officer_id, decided_at=decided_at,
                issue_method=issue_method)).inserted_primary_key[0]
            number = ticket_number(decision_id)
            c.execute(review_decisions.update().where(review_decisions.c.decision_id == decision_id)
                      .values(ticket_number=number))
            c.execute(review_tickets.insert().values(
                ticket_number=number, decision_id=decision_id, read_id=detection.read_id,
                issued_at=detection.captured_at.astimezone(dt.timezone.utc), officer_id=officer_id,
                bylaw_code=detection.bylaw_code, violation_type=detection.violation_type,
                fine_amount=float(detection.fine_amount), plate=detection.plate, province=detection.province,
                make=_blank_to_none(make), model=_blank_to_none(model), colour=_blank_to_none(colour),
                lat=float(detection.lat), lon=float(detection.lon),
                street_address=_blank_to_none(street_address) or detection.street_address,
                blockface_id=detection.blockface_id, zone_id=detection.zone_id, issue_method=issue_method,
                detection_source="alpr", evidence_ref=detection.evidence_ref, created_at=decided_at))
        return self.decision(detection.read_id)

    def reject(self, read_id: str, officer_id: str, reason: str, note: str | None = None,
               now: dt.datetime | None = None) -> dict:
        """Reject a detection with a reason from ``REJECT_REASONS`` ('other' needs a note)."""
        if reason not in REJECT_REASONS:
            raise ValueError(f"reason must be one of {tuple(REJECT_REASONS)}, not {reason!r}")
        note = _blank_to_none(note)
        if reason == "other" and not note:
            raise ValueError("a rejection for 'other' needs a note saying why")
        with self._deciding(read_id) as c:
            c.execute(review_decisions.insert().values(
                read_id=read_id, decision="rejected", reason=reason, reason_note=note, officer_id=officer_id,
                decided_at=_now(now)))
        return self.decision(read_id)

    @contextlib.contextmanager
    def _deciding(self, read_id: str):
        """A write transaction for one decision; a second decision of the read is AlreadyDecided."""
        try:
            with self.engine.begin() as c:
                yield c
        except sa.exc.IntegrityError as e:
            previous = self.decision(read_id)
            if previous is not None:
                raise AlreadyDecided(read_id, previous) from e
            raise

    # -- export to landing ---------------------------------------------------------------

    def export_to_landing(self, p: Paths | None = None, now: dt.datetime | None = None) -> dict:
        """Write decisions and tickets not exported yet to landing files (see the module doc)."""
        p = p or resolve_paths()
        now = _now(now)
        return {
            "review_decisions": self._export(p, "review_decisions", "review_decisions", review_decisions,
                                             _decision_record, now),
            "handheld_tickets": self._export(p, "handheld_tickets", "review_tickets", review_tickets,
                                             _ticket_record, now),
        }

    def _export(self, p: Paths, source_name: str, stem: str, table: sa.Table, record, now: dt.datetime) -> dict:
        return export_rows(self.engine, p, source_name, stem, table, record, now)


def export_rows(engine: sa.Engine, p: Paths, source_name: str, stem: str, table: sa.Table, record,
                now: dt.datetime, where: Any = None) -> dict:
    """Write the rows of ``table`` not exported yet (``export_id`` NULL, and ``where``) to a new
    landing file of ``source_name`` (``record`` maps a row to the contract's fields) and mark
    them with the export, in one transaction. A table with a ``version`` column is marked
    only where the version is still the one written, so a change made meanwhile is exported
    again next time rather than lost."""
    src = SOURCES[source_name]
    folder = p.landing / source_name
    key = next(iter(table.primary_key.columns))
    placed: Path | None = None
    try:
        with engine.begin() as c:
            q = sa.select(table).where(table.c.export_id.is_(None)).order_by(key)
            if where is not None:
                q = q.where(where)
            rows = list(c.execute(q).mappings())
            if not rows:
                return {"file": None, "rows": 0}
            text = _csv_text(src.field_names, [record(r) for r in rows])
            out = _free_name(folder, stem, now.astimezone(ZoneInfo(CITY_TZ)).date())
            export_id = c.execute(ops_exports.insert().values(
                source=source_name, file_name=out.name, file_sha256=hashlib.sha256(text.encode()).hexdigest(),
                rows=len(rows), exported_at=now)).inserted_primary_key[0]
            if "version" in table.c:
                c.execute(table.update().where(key == sa.bindparam("_key"), table.c.version == sa.bindparam("_version"))
                          .values(export_id=export_id),
                          [{"_key": r[key.name], "_version": r["version"]} for r in rows])
            else:
                c.execute(table.update().where(key.in_([r[key.name] for r in rows])).values(export_id=export_id))
            placed = out  # the name was free: whatever is there now is this export's
            place_file(out, text)
    except BaseException:
        # the rows stay unexported, so no file may say otherwise
        if placed is not None:
            placed.unlink(missing_ok=True)
        raise
    return {"file": str(out), "rows": len(rows), "export_id": export_id}


def ticket_number(decision_id: int) -> str:
    return f"{TICKET_PREFIX}{decision_id:08d}"


def _now(now: dt.datetime | None) -> dt.datetime:
    t = now or dt.datetime.now(dt.timezone.utc)
    if t.tzinfo is None:
        raise ValueError("decision times must be timezone-aware")
    return t.astimezone(dt.timezone.utc)


def _blank_to_none(v: str | None) -> str | None:
    v = (v or "").strip()
    return v or None


def _decision_dict(row: Mapping[str, Any]) -> dict:
    return {**row, "decided_at": _utc(row["decided_at"])}


def _iso(t: dt.datetime) -> str:
    return _utc(t).isoformat(timespec="seconds")


def _decision_record(r: Mapping[str, Any]) -> dict:
    return {"read_id": r["read_id"], "decision": r["decision"], "reason": r["reason"],
            "reason_note": r["reason_note"], "officer_id": r["officer_id"], "decided_at": _iso(r["decided_at"]),
            "issue_method": r["issue_method"], "ticket_number": r["ticket_number"]}


def _ticket_record(r: Mapping[str, Any]) -> dict:
    return {**{k: r[k] for k in SOURCES["handheld_tickets"].field_names}, "issued_at": _iso(r["issued_at"]),
            "fine_amount": f"{r['fine_amount']:.2f}", "lat": f"{r['lat']:.6f}", "lon": f"{r['lon']:.6f}"}


def _csv_text(columns: list[str], records: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows({k: ("" if v is None else v) for k, v in rec.items()} for rec in records)
    return buf.getvalue()


def _free_name(folder: Path, stem: str, day: dt.date) -> Path:
    """``<stem>_<day>.csv``, or ``<stem>_<n>_<day>.csv`` when an export that day exists: a
    landing file is never overwritten, and its name ends with the delivery day."""
    out, n = folder / f"{stem}_{day.isoformat()}.csv", 1
    while out.exists():
        n += 1
        out = folder / f"{stem}_{n}_{day.isoformat()}.csv"
    return out


def export_to_landing(data_dir: str | os.PathLike | None = None, now: dt.datetime | None = None) -> dict:
    """Export the data directory's ops database (``CIVIC_OPS_DB_URL`` wins) to its landing folder."""
    p = resolve_paths(data_dir)
    db = OpsDB(ops_db_url(p))
    try:
        return db.export_to_landing(p, now)
    finally:
        db.dispose()
