"""MTO owner look-up responses: import the owner records the MTO sends back for a request
batch (``warehouse/mto.py``), and purge them once their ticket is settled.

The response file: fixed-width text in the layout of the MTO licence-plate ownership file
as the open-source cityssm/parking-ticket-system (Sault Ste. Marie) parses it
(``helpers/functions.mto.ts``: ``parsePKRA``, ``parsePKRD``). Positions are 1-based,
inclusive; short lines are read as if padded with spaces.

  header  PKRA   1-4    record type
                 5-8    destination code
                 9      batch number
                 10-15  sent date YYMMDD: the date of the request batch
                 16-21  record count
                 22-23  tape / label flags
                 24-29  entry date YYMMDD
                 30-35  record date YYMMDD: the date the MTO's data is as of
  detail  PKRD   1-4    record type
                 5-14   plate
                 15-20  issue date YYMMDD (as requested)
                 21-28  ticket number: the first 8 characters of the requested number
                 29-32  input make
                 33-47  driver's licence number       (not kept)
                 48-53  birth date                    (not kept)
                 54     gender                        (not kept)
                 55-104 owner name(s), "/" between two owners, "SURNAME,GIVEN"
                 105-144 street address and city, the city after the last comma
                 145-150 postal code
                 151-154 vehicle make (NCIC code)
                 155-156 vehicle year YY
                 157-166 odometer reading and unit   (not kept)
                 167-169 vehicle colour
                 170-175 MTO error/warning code (e.g. WRN262), blank when none
                 176-204 MTO message
                 205-208 plate expiry YYMM
  trailer PKRZ   (optional) 5-10 record count, checked when present

Only what a mailed notice needs is kept (data minimisation): names, address, postal code,
vehicle make/year/colour, the MTO code and message. Province: ARIS is Ontario's registry,
so the owner's province is not in the record and is stored as ON.

Matching a record to its request: the response echoes only 8 characters of the ticket
number and our numbers are longer (``PT00000001``), so a record belongs to the requested
ticket (``mto_lookup_requests`` in the ledger) whose number starts with those 8
characters, with the same issue date and, among those, the same plate (from the lake,
as the request took it). A record that matches no request, or more than one, is rejected
with its reason, as is a malformed line (with its line number). A record without an owner
(an MTO error such as plate not found) is counted by its code and not stored.

Where the records live: the ops database (``warehouse/ops.py``: ``mto_owner_records``,
ticket number the primary key, with the request batch, the response file and when it was
received), never the lake, warehouse or snapshot. Importing a file again stores nothing
new, and a ticket whose owner data was purged is never stored again.

The purge (``purge_settled_owner_records``): tickets whose current status in the serving
snapshot's ``marts.fct_ticket_lifecycle`` is paid, cancelled or written off lose their
owner record; an audit file per run goes to ``lake/_audit/mto_owner_purge/`` (ticket
numbers, their status and counts, never owner data).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from warehouse.config import Paths, paths as resolve_paths
from warehouse.lake import write_parquet
from warehouse.mto import connect_ledger, ledger_path, normalize_plate, read_plates
from warehouse.ops import OpsDB, mto_owner_records, ops_db_url
from warehouse.retention import audit_file, read_audit_dir

ECHOED_TICKET_WIDTH = 8
DETAIL_WIDTH = 221
LIFECYCLE_TABLE = "marts.fct_ticket_lifecycle"
SETTLED_STATUSES = ("paid", "cancelled", "written_off")
ARIS_PROVINCE = "ON"  # the record has no province: ARIS holds Ontario registrations
AUDIT_COLUMNS = [
    ("purged_at", pa.timestamp("us", tz="UTC")), ("run_id", pa.string()), ("rule", pa.string()),
    ("ticket_number", pa.string()), ("current_status", pa.string()), ("request_batch_id", pa.int64()),
    ("records_purged", pa.int64()),
]


# What a stored record keeps of a PKRD line (the columns of ops.mto_owner_records of the same name).
_OWNER_FIELDS = ("owner_name_1", "owner_name_2", "owner_address", "owner_city", "owner_postal_code",
                 "vehicle_make", "vehicle_year", "vehicle_colour", "plate_expiry", "mto_code", "mto_message")


@dataclass(frozen=True)
class OwnerRecord:
    line: int
    plate: str
    issue_date: dt.date
    echoed_ticket: str
    owner_name_1: str
    owner_name_2: str | None
    owner_address: str | None
    owner_city: str | None
    owner_postal_code: str | None
    vehicle_make: str | None
    vehicle_year: int | None
    vehicle_colour: str | None
    plate_expiry: str | None   # YYYY-MM
    mto_code: str | None
    mto_message: str | None


def _yymmdd(s: str) -> dt.date:
    return dt.datetime.strptime(s, "%y%m%d").date()


def _field(line: str, start: int, end: int) -> str | None:
    """1-based inclusive positions, blank -> None."""
    return line[start - 1:end].strip() or None


def _century(yy: int, reference: dt.date) -> int:
    """A two-digit year no later than a year after the reference date (model years run ahead)."""
    year = 2000 + yy
    return year - 100 if year > reference.year + 1 else year


def parse_header(line: str) -> dict:
    if not line.startswith("PKRA"):
        raise ValueError("not an MTO ownership response: the first line is not a PKRA header")
    try:
        return {"sent_date": _yymmdd(line[9:15]), "record_date": _yymmdd(line[29:35])}
    except ValueError as e:
        raise ValueError(f"bad PKRA header (sent date at 10-15, record date at 30-35): {e}") from None


def parse_detail(line: str, number: int, record_date: dt.date) -> OwnerRecord | None:
    """One PKRD line; None when the MTO returned no owner. Raises ValueError saying what is wrong."""
    if len(line) > DETAIL_WIDTH:
        raise ValueError(f"longer than {DETAIL_WIDTH} characters")
    line = line.ljust(DETAIL_WIDTH)
    plate, ticket = normalize_plate(_field(line, 5, 14)), _field(line, 21, 28)
    if not plate or not ticket:
        raise ValueError("no plate or no ticket number")
    try:
        issue_date = _yymmdd(line[14:20])
    except ValueError:
        raise ValueError(f"bad issue date {line[14:20]!r}") from None
    year, expiry = _field(line, 155, 156), _field(line, 205, 208)
    if (year and not year.isdigit()) or (expiry and not (len(expiry) == 4 and expiry.isdigit() and 1 <= int(expiry[2:]) <= 12)):
        raise ValueError(f"bad vehicle year {year!r} or plate expiry {expiry!r}")
    names = (_field(line, 55, 104) or "").split("/", 1)
    if not names[0].strip():
        return None
    address, _, city = (_field(line, 105, 144) or "").rpartition(",")
    if not address:  # no comma: the whole field is the street address
        address, city = city, ""
    return OwnerRecord(
        line=number, plate=plate, issue_date=issue_date, echoed_ticket=ticket,
        owner_name_1=names[0].strip(), owner_name_2=(names[1].strip() or None) if len(names) > 1 else None,
        owner_address=address.strip() or None, owner_city=city.strip() or None,
        owner_postal_code=_field(line, 145, 150), vehicle_make=_field(line, 151, 154),
        vehicle_year=_century(int(year), record_date) if year else None, vehicle_colour=_field(line, 167, 169),
        plate_expiry=f"{_century(int(expiry[:2]), record_date)}-{expiry[2:]}" if expiry else None,
        mto_code=_field(line, 170, 175), mto_message=_field(line, 176, 204))


def parse_response(text: str) -> dict:
    """The header, the owner records, the no-owner codes and the malformed lines of a response file."""
    lines = text.splitlines()
    if not lines:
        raise ValueError("empty file")
    out = {**parse_header(lines[0]), "records": [], "details": 0, "no_owner": Counter(), "malformed": []}
    trailer_count = None
    for number, line in enumerate(lines[1:], start=2):
        try:
            if line.startswith("PKRD"):
                out["details"] += 1
                rec = parse_detail(line, number, out["record_date"])
                if rec is None:
                    out["no_owner"][_field(line.ljust(DETAIL_WIDTH), 170, 175) or "no_owner_name"] += 1
                else:
                    out["records"].append(rec)
            elif line.startswith("PKRZ") and line[4:10].strip().isdigit():
                trailer_count = int(line[4:10])
            elif line.strip():
                raise ValueError(f"unknown record type {line[:4]!r}")
        except ValueError as e:
            out["malformed"].append({"line": number, "reason": str(e)})
    if trailer_count is not None and trailer_count != out["details"]:
        raise ValueError(f"the PKRZ trailer counts {trailer_count} records, the file has {out['details']} PKRD lines")
    return out


def _requests(p: Paths) -> list[tuple[str, int, dt.date]]:
    con = connect_ledger(ledger_path(p))
    try:
        return [(t, b, dt.date.fromisoformat(d))
                for t, b, d in con.execute("SELECT ticket_number, batch_id, issue_date FROM mto_lookup_requests")]
    finally:
        con.close()


def _match(records: list[OwnerRecord], requests: list[tuple[str, int, dt.date]], lake: Path):
    """(record, ticket number, request batch) for matched records, and (record, reason) for the rest."""
    by_key: dict[tuple[str, dt.date], list[tuple[str, int]]] = {}
    for ticket, batch_id, issued in requests:
        by_key.setdefault((ticket[:ECHOED_TICKET_WIDTH], issued), []).append((ticket, batch_id))
    wanted = {t for r in records for t, _ in by_key.get((r.echoed_ticket, r.issue_date), [])}
    plates = read_plates(lake, sorted(wanted))
    matched, rejected = [], []
    for r in records:
        candidates = by_key.get((r.echoed_ticket, r.issue_date), [])
        same_plate = [(t, b) for t, b in candidates if plates.get(t) == r.plate]
        if not candidates:
            rejected.append((r, "not_requested"))
        elif not same_plate:
            rejected.append((r, "plate_differs_from_request"))
        elif len(same_plate) > 1:
            rejected.append((r, "ambiguous_ticket_number"))
        else:
            matched.append((r, *same_plate[0]))
    return matched, rejected


def import_responses(file: str | os.PathLike, data_dir: str | os.PathLike | None = None,
                     now: dt.datetime | None = None) -> dict:
    """Store the owner records of an MTO response file in the ops database; return a summary."""
    p = resolve_paths(data_dir)
    file = Path(file)
    raw = file.read_bytes()
    parsed = parse_response(raw.decode("ascii", errors="replace"))
    matched, rejected = _match(parsed["records"], _requests(p), p.lake)
    purged = purged_tickets(p)
    received_at = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    reasons: Counter = Counter(reason for _, reason in rejected)
    rejected_lines = [{"line": r.line, "reason": reason} for r, reason in rejected]
    stored = already = 0
    file_sha256 = hashlib.sha256(raw).hexdigest()
    db = OpsDB(ops_db_url(p))
    try:
        with db.engine.begin() as c:
            present = {t for (t,) in c.execute(sa.select(mto_owner_records.c.ticket_number))}
            for rec, ticket, batch_id in matched:
                if ticket in purged:
                    # settled and purged: a re-sent file must not bring the owner back
                    reasons["owner_data_purged"] += 1
                    rejected_lines.append({"line": rec.line, "reason": "owner_data_purged"})
                    continue
                if ticket in present:
                    already += 1
                    continue
                c.execute(mto_owner_records.insert().values(
                    ticket_number=ticket, request_batch_id=batch_id, issue_date=rec.issue_date,
                    owner_province=ARIS_PROVINCE,
                    record_date=parsed["record_date"], received_at=received_at, response_file=file.name,
                    response_sha256=file_sha256,
                    **{k: getattr(rec, k) for k in _OWNER_FIELDS}))
                present.add(ticket)
                stored += 1
    finally:
        db.dispose()
    return {"file": str(file), "sent_date": parsed["sent_date"].isoformat(),
            "record_date": parsed["record_date"].isoformat(), "records": parsed["details"],
            "stored": stored, "already_stored": already, "no_owner": dict(sorted(parsed["no_owner"].items())),
            "rejected": dict(sorted(reasons.items())), "rejected_lines": sorted(rejected_lines, key=lambda r: r["line"]),
            "malformed": parsed["malformed"]}



# -- the purge -------------------------------------------------------------------------


def audit_dir(p: Paths) -> Path:
    return p.lake / "_audit" / "mto_owner_purge"


def read_audit(p: Paths) -> pa.Table:
    """Every owner-record purge so far (empty when nothing was ever purged)."""
    return read_audit_dir(audit_dir(p), AUDIT_COLUMNS)


def purged_tickets(p: Paths) -> set[str]:
    """Every ticket whose owner record was ever purged."""
    return {t for t in read_audit(p)["ticket_number"].to_pylist() if t}


def settled_tickets(serving_db: Path, ticket_numbers: list[str]) -> dict[str, str]:
    """Current status of those of the tickets that are settled, from the snapshot's lifecycle mart."""
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        return dict(con.execute(
            f"SELECT ticket_id, current_status FROM {LIFECYCLE_TABLE} "
            "WHERE current_status IN (SELECT unnest(?::VARCHAR[])) AND ticket_id IN (SELECT unnest(?::VARCHAR[]))",
            [list(SETTLED_STATUSES), ticket_numbers]).fetchall())
    finally:
        con.close()


def purge_settled_owner_records(data_dir: str | os.PathLike | None = None, now: dt.datetime | None = None,
                                run_id: str | None = None) -> dict:
    """Delete the owner records of tickets paid, cancelled or written off; audit what went."""
    p = resolve_paths(data_dir)
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    run_id = run_id or f"manual-{uuid.uuid4().hex[:12]}"
    rule = (f"MTO owner records of tickets whose current_status in {LIFECYCLE_TABLE} of the serving snapshot "
            f"is one of {', '.join(SETTLED_STATUSES)}")
    summary = {"run_id": run_id, "purged_at": now.isoformat(), "records_purged": 0, "by_status": {},
               "records_kept": 0, "skipped": None, "audit_file": None}
    if not p.serving_db.exists():
        summary["skipped"] = f"no serving snapshot at {p.serving_db}: nothing is known to be settled"
        return summary
    db = OpsDB(ops_db_url(p))
    audit = None
    try:
        with db.engine.begin() as c:
            held = {t: b for t, b in c.execute(sa.select(mto_owner_records.c.ticket_number,
                                                         mto_owner_records.c.request_batch_id))}
            settled = settled_tickets(p.serving_db, sorted(held)) if held else {}
            if settled:
                c.execute(mto_owner_records.delete().where(mto_owner_records.c.ticket_number.in_(sorted(settled))))
            rows = [{"ticket_number": t, "current_status": s, "request_batch_id": held[t], "records_purged": 1}
                    for t, s in sorted(settled.items())]
            # written before the commit: a purge that cannot be audited does not happen
            audit = _write_audit(p, rows, now, run_id, rule)
    except BaseException:
        if audit is not None:
            audit.unlink(missing_ok=True)
        raise
    finally:
        db.dispose()
    summary.update(records_purged=len(settled), records_kept=len(held) - len(settled),
                   by_status=dict(sorted(Counter(settled.values()).items())), audit_file=str(audit))
    return summary


def _write_audit(p: Paths, rows: list[dict], now: dt.datetime, run_id: str, rule: str) -> Path:
    """One Parquet file per purge run (also when nothing was purged: the run is on record)."""
    rows = rows or [{"ticket_number": None, "current_status": None, "request_batch_id": None, "records_purged": 0}]
    table = pa.Table.from_pylist([{"purged_at": now, "run_id": run_id, "rule": rule, **r} for r in rows],
                                 schema=pa.schema(AUDIT_COLUMNS))
    path = audit_file(audit_dir(p), now, run_id)
    write_parquet(table, path)
    return path

