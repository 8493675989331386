"""MTO owner look-up batches (ARIS) for mailed parking tickets.

A ticket mailed to the owner (the car had left, or a camera detection) needs the
registered owner's name and address from the Ministry of Transportation. Municipalities
send the MTO a batch file of plates and ticket numbers and receive the owners back. This
module writes that request file for the mailed tickets that still need it, and keeps a
ledger of what was requested so no ticket is requested twice.

Where the data comes from: which tickets need a look-up, from the serving snapshot's
``enforcement.mto_lookup_candidates`` (dbt model ``models/enforcement/mto_lookup_candidates.sql``:
open mailed handheld tickets, i.e. not paid, cancelled or written off, with their
lifecycle status); the plate in clear, from the lake (``lake/handheld_tickets``, the
system of record; the latest delivery of each ticket, as staging keeps it). No plate in
clear is published to the snapshot, and only the pipeline opens the warehouse.

Which tickets go in a batch (``select_batch``):
  * issued on or before the batch date (default: the data's latest day in the snapshot),
  * an Ontario plate (ARIS holds Ontario registrations; others are counted as skipped),
  * not requested before (the ledger),
  * fitting the record layout (plate <= 10, ticket number <= 23 characters).

The file: fixed-width text records in the layout of the MTO licence-plate look-up batch
as the open-source cityssm/parking-ticket-system (Sault Ste. Marie) exports it, one record
per line, ``\\n`` line ends, ASCII:

  header   PKTA  (4)  record type
           "    1" (5) constant batch type, right-aligned
           YYMMDD (6) batch date
           NNNNNN (6) number of PKTD records, zero-padded
           "Y"   (1)
           "N"   (1)  no mailing labels requested
  detail   PKTD  (4)  record type
           plate (10) upper-case A-Z/0-9, left-aligned, space-padded
           YYMMDD (6) local date of issue
           ticket number (23) left-aligned, space-padded
           authorized user (4) the requester code the MTO issued to the municipality,
                      left-aligned, space-padded (CIVIC_MTO_AUTHORIZED_USER, default "DEMO")
  trailer  PKTZ  (4)  record type
           NNNNNN (6) number of PKTD records, zero-padded

The ledger: SQLite at ``CIVIC_MTO_LEDGER_PATH`` (default
``$CIVIC_DATA_DIR/ops/mto_lookups.sqlite``), tables ``mto_lookup_batches`` (one row per
file written) and ``mto_lookup_requests`` (one row per ticket requested, primary key the
ticket number). It holds no plates and no owner data. The file and the ledger rows are
written together: the ledger transaction commits only after the file is in place.

The other half (``warehouse/mto_responses.py``): ``civic mto import-responses FILE`` reads
the MTO's answer (PKRA header, PKRD owner records, in the layout cityssm/parking-ticket-system
parses), matches each record to a request in this ledger (the response echoes 8 characters
of the ticket number: the issue date and the plate decide), and stores the owners in the
ops database (``mto_owner_records``), never in the lake, warehouse or snapshot. Unrequested
records and malformed lines are counted with their reason; a second import of the same
file stores nothing. Owner data is kept only while it is needed: the daily
``purge_settled_owner_records`` asset (orchestration/privacy.py) deletes the records of
tickets the snapshot's ``marts.fct_ticket_lifecycle`` shows paid, cancelled or written off,
with an audit record (ticket numbers only) in ``lake/_audit/mto_owner_purge/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.config import Paths, paths as resolve_paths

CANDIDATES_TABLE = "enforcement.mto_lookup_candidates"
DEFAULT_AUTHORIZED_USER = "DEMO"
PLATE_WIDTH = 10
TICKET_WIDTH = 23
USER_WIDTH = 4

_LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS mto_lookup_batches (
    batch_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_date      TEXT NOT NULL,      -- YYYY-MM-DD, the date in the header
    created_at      TEXT NOT NULL,      -- UTC ISO timestamp
    file_name       TEXT NOT NULL,
    file_sha256     TEXT NOT NULL,
    records         INTEGER NOT NULL,
    authorized_user TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mto_lookup_requests (
    ticket_number   TEXT PRIMARY KEY,
    batch_id        INTEGER NOT NULL REFERENCES mto_lookup_batches (batch_id),
    issue_date      TEXT NOT NULL,
    requested_at    TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class LookupRecord:
    ticket_number: str
    plate: str
    issue_date: dt.date


def ledger_path(p: Paths | None = None) -> Path:
    """``CIVIC_MTO_LEDGER_PATH``, else ``<data dir>/ops/mto_lookups.sqlite``."""
    env = os.environ.get("CIVIC_MTO_LEDGER_PATH")
    if env:
        return Path(env)
    return (p or resolve_paths()).data_dir / "ops" / "mto_lookups.sqlite"


def connect_ledger(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), isolation_level=None)  # explicit transactions below
    con.executescript(_LEDGER_SCHEMA)
    return con


def requested_tickets(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT ticket_number FROM mto_lookup_requests")}


def read_candidates(serving_db: Path) -> list[dict]:
    """Rows of ``enforcement.mto_lookup_candidates`` from the serving snapshot (read-only)."""
    if not Path(serving_db).exists():
        raise FileNotFoundError(f"no serving snapshot at {serving_db}: run `civic pipeline run` first")
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        con.execute("SET TimeZone = 'America/Toronto'")
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'enforcement' "
            "AND table_name = 'mto_lookup_candidates'").fetchone()[0]
        if not found:
            raise LookupError(f"{CANDIDATES_TABLE} is not in the snapshot {serving_db}: rebuild it with `civic pipeline run`")
        cur = con.execute(
            f"SELECT ticket_number, province, issued_date, lookup_registry, not_eligible_reason, as_of_date "
            f"FROM {CANDIDATES_TABLE} ORDER BY issued_at, ticket_number")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]
    finally:
        con.close()


def normalize_plate(plate: str | None) -> str:
    """Upper-case, A-Z/0-9 only (the recipe of dbt's ``normalize_plate``)."""
    return re.sub(r"[^A-Z0-9]", "", (plate or "").upper())


def read_plates(lake: Path, ticket_numbers: list[str]) -> dict[str, str]:
    """Normalised plate of each ticket, from the lake's latest delivery of it."""
    files = sorted((Path(lake) / "handheld_tickets").glob("day=*/*.parquet"))
    if not ticket_numbers or not files:
        return {}
    con = duckdb.connect()
    try:
        rows = con.execute(
            """SELECT ticket_number, plate
               FROM read_parquet(?, union_by_name = true, hive_partitioning = false)
               WHERE ticket_number IN (SELECT unnest(?::VARCHAR[]))
               QUALIFY row_number() OVER (PARTITION BY ticket_number
                   ORDER BY _delivered_on DESC NULLS LAST, _batch_id DESC NULLS LAST, _row_number DESC NULLS LAST) = 1""",
            [[f.as_posix() for f in files], list(ticket_numbers)]).fetchall()
    finally:
        con.close()
    return {str(t): normalize_plate(p) for t, p in rows}


def select_batch(candidates: list[dict], already_requested: set[str],
                 batch_date: dt.date) -> tuple[list[LookupRecord], Counter]:
    """The records for a batch dated ``batch_date``, and why the other candidates were left out.

    ``candidates``: rows of the candidates table with each ticket's ``plate`` added."""
    records: list[LookupRecord] = []
    skipped: Counter = Counter()
    for c in candidates:
        ticket, plate = str(c["ticket_number"]), normalize_plate(c.get("plate"))
        if c["issued_date"] is None or c["issued_date"] > batch_date:
            skipped["issued_after_batch_date"] += 1
        elif ticket in already_requested:
            skipped["already_requested"] += 1
        elif c.get("lookup_registry") != "MTO_ARIS":
            skipped[c.get("not_eligible_reason") or "not_eligible"] += 1
        elif not plate:
            skipped["plate_not_in_lake"] += 1
        elif not re.fullmatch(r"[A-Z0-9]{1,%d}" % PLATE_WIDTH, plate) or len(ticket) > TICKET_WIDTH or not ticket.isascii():
            skipped["does_not_fit_layout"] += 1
        else:
            records.append(LookupRecord(ticket, plate, c["issued_date"]))
    return records, skipped


def format_batch(records: list[LookupRecord], batch_date: dt.date,
                 authorized_user: str = DEFAULT_AUTHORIZED_USER) -> str:
    """The fixed-width request file (layout in the module docstring)."""
    user = authorized_user[:USER_WIDTH].ljust(USER_WIDTH)
    n = f"{len(records):06d}"
    if len(n) > 6:
        raise ValueError("a batch holds at most 999,999 records")
    lines = ["PKTA" + "    1" + batch_date.strftime("%y%m%d") + n + "Y" + "N"]
    for r in records:
        lines.append("PKTD" + r.plate.ljust(PLATE_WIDTH) + r.issue_date.strftime("%y%m%d")
                     + r.ticket_number.ljust(TICKET_WIDTH) + user)
    lines.append("PKTZ" + n)
    return "\n".join(lines) + "\n"


def parse_batch(text: str) -> dict:
    """Read a request file back (for tests and for checking a file before it is sent)."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("PKTA") or not lines[-1].startswith("PKTZ"):
        raise ValueError("not an MTO look-up batch: expected a PKTA header and a PKTZ trailer")
    head = lines[0]
    out = {"batch_date": dt.datetime.strptime(head[9:15], "%y%m%d").date(), "count": int(head[15:21]), "records": []}
    for line in lines[1:-1]:
        if not line.startswith("PKTD") or len(line) != 4 + PLATE_WIDTH + 6 + TICKET_WIDTH + USER_WIDTH:
            raise ValueError(f"bad detail record: {line!r}")
        out["records"].append({
            "plate": line[4:14].rstrip(),
            "issue_date": dt.datetime.strptime(line[14:20], "%y%m%d").date(),
            "ticket_number": line[20:43].rstrip(),
            "authorized_user": line[43:47].rstrip(),
        })
    if int(lines[-1][4:10]) != out["count"] or out["count"] != len(out["records"]):
        raise ValueError("record counts in header, trailer and body disagree")
    return out


def create_lookup_batch(out: str | os.PathLike, batch_date: dt.date | str | None = None,
                        data_dir: str | os.PathLike | None = None,
                        authorized_user: str | None = None,
                        now: dt.datetime | None = None) -> dict:
    """Write the look-up request file for mailed tickets not yet requested, and record them.

    Returns a summary: batch_id (None when there was nothing to request), file, records,
    batch_date, skipped (reason -> count), ledger. Refuses to overwrite an existing file.
    """
    p = resolve_paths(data_dir)
    out = Path(out)
    if out.exists():
        raise FileExistsError(f"{out} exists: a sent batch is never overwritten; choose another --out")
    user = authorized_user or os.environ.get("CIVIC_MTO_AUTHORIZED_USER") or DEFAULT_AUTHORIZED_USER
    candidates = read_candidates(p.serving_db)
    plates = read_plates(p.lake, [c["ticket_number"] for c in candidates if c["lookup_registry"] == "MTO_ARIS"])
    candidates = [{**c, "plate": plates.get(str(c["ticket_number"]))} for c in candidates]
    if isinstance(batch_date, str):
        batch_date = dt.date.fromisoformat(batch_date)
    if batch_date is None:
        days = [c["as_of_date"] for c in candidates if c["as_of_date"] is not None]
        batch_date = max(days) if days else _snapshot_as_of(p.serving_db)
    summary = {"batch_id": None, "file": None, "records": 0,
               "batch_date": batch_date.isoformat() if batch_date else None,
               "candidates": len(candidates), "skipped": {}, "ledger": str(ledger_path(p))}
    if batch_date is None:
        return summary
    con = connect_ledger(ledger_path(p))
    try:
        con.execute("BEGIN IMMEDIATE")  # one batch at a time: the ledger is locked until commit
        tmp, placed = out.with_name(f".{out.name}.tmp"), False
        try:
            records, skipped = select_batch(candidates, requested_tickets(con), batch_date)
            summary["skipped"] = dict(sorted(skipped.items()))
            if not records:
                con.execute("ROLLBACK")
                return summary
            text = format_batch(records, batch_date, user)
            created = (now or dt.datetime.now(dt.timezone.utc)).isoformat()
            cur = con.execute(
                "INSERT INTO mto_lookup_batches (batch_date, created_at, file_name, file_sha256, records, authorized_user) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [batch_date.isoformat(), created, out.name, hashlib.sha256(text.encode()).hexdigest(), len(records), user])
            batch_id = cur.lastrowid
            con.executemany(
                "INSERT INTO mto_lookup_requests (ticket_number, batch_id, issue_date, requested_at) VALUES (?, ?, ?, ?)",
                [(r.ticket_number, batch_id, r.issue_date.isoformat(), created) for r in records])
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="ascii")
            os.replace(tmp, out)
            placed = True
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            # never leave a file behind that the ledger does not know
            (out if placed else tmp).unlink(missing_ok=True)
            raise
    finally:
        con.close()
    summary.update(batch_id=batch_id, file=str(out), records=len(records))
    return summary


def _snapshot_as_of(serving_db: Path) -> dt.date | None:
    """The lifecycle's as-of day from the snapshot, when there are no candidates to tell it."""
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        row = con.execute("SELECT max(as_of_date) FROM marts.fct_ticket_lifecycle").fetchone()
        return row[0] if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()
