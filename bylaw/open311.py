"""Open311 GeoReport v2 service requests (the online portal) into complaints and cases.

The same JSON array the landing source ``open311_requests`` holds. Each request becomes a
complaint (channel ``portal``; its contact fields are the complainant, kept only in the ops
database), idempotent on ``service_request_id``: importing a file twice changes nothing.
An open request opens a case, or joins a likely duplicate (same property first, else the
nearest open case of the same type within the duplicate radius), or the legacy case that
already came from it. A request closed at the source (duplicate, referred elsewhere) is
kept as a complaint without a case.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import sqlalchemy as sa

from bylaw import catalogue, lifecycle
from bylaw.cases import create_complaint, find_likely_duplicates
from bylaw.ops_schema import cases, complaints
from bylaw.properties import Reference, load_reference
from bylaw.roles import SYSTEM, User
from data_contracts.sources import SOURCES
from data_contracts.validate import split
from warehouse.ops import OpsDB
from warehouse.readers import read_json_array

SOURCE_REF_PREFIX = "open311:"


def _requests(json_text_or_path: str | os.PathLike) -> tuple[list[dict], list[dict], int]:
    """(valid requests as typed dicts, rejected requests with the landing contract's reasons,
    records that could not be read at all)."""
    text = str(json_text_or_path)
    if not text.lstrip().startswith(("[", "{")):
        text = Path(json_text_or_path).read_text(encoding="utf-8")
    tmp_src = SOURCES["open311_requests"]
    # the reader wants a file: go through a temporary one so the parsing is the ingestion's own
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        fh.write(text)
        name = fh.name
    try:
        result = read_json_array(Path(name), tmp_src)
    finally:
        os.unlink(name)
    records = result.records
    records["_rid"] = range(len(records))
    good, bad = split(tmp_src, records)
    return good.to_dict("records"), bad[["service_request_id", "reason"]].to_dict("records"), len(result.unreadable)


def _ts(v) -> dt.datetime | None:
    if v is None or v != v:
        return None
    return v.to_pydatetime() if hasattr(v, "to_pydatetime") else v


def _s(v) -> str | None:
    return None if v is None or v != v or str(v).strip() == "" else str(v).strip()


def import_open311_requests(db: OpsDB, json_text_or_path: str | os.PathLike, actor: User = SYSTEM,
                            reference: Reference | None = None, now: dt.datetime | None = None) -> dict:
    """Import a GeoReport v2 JSON array (text or a file). Returns counts and the rejected
    requests with the contract's reasons."""
    good, rejected, unreadable = _requests(json_text_or_path)
    reference = reference or load_reference()
    counts = {"requests": len(good) + len(rejected) + unreadable, "new_cases": 0, "attached": 0,
              "closed_at_source": 0, "already_imported": 0, "unknown_service_code": 0,
              "rejected": len(rejected) + unreadable}
    with db.engine.connect() as c:
        seen = {r[0] for r in c.execute(sa.select(complaints.c.source_ref).where(
            complaints.c.source_ref.like(f"{SOURCE_REF_PREFIX}%")))}
    for r in sorted(good, key=lambda r: r["requested_datetime"]):
        ref = SOURCE_REF_PREFIX + r["service_request_id"]
        if ref in seen:
            counts["already_imported"] += 1
            continue
        service = catalogue.service_codes().get(r["service_code"])
        if service is None:
            counts["unknown_service_code"] += 1
            rejected.append({"service_request_id": r["service_request_id"],
                             "reason": f"service_code {r['service_code']!r} is not a bylaw service"})
            continue
        bylaw_type = service["bylaw_type"]
        lat, lon = float(r["lat"]), float(r["long"])
        attach = None
        closed = r["status"] == "closed"
        if not closed:
            attach = _legacy_case(db, r["service_request_id"])
            if attach is None:
                prop = reference.find_property(address=_s(r.get("address")), lat=lat, lon=lon)
                dups = find_likely_duplicates(db, bylaw_type, roll_number=prop and prop["roll_number"], lat=lat, lon=lon)
                attach = dups[0]["case_id"] if dups else None
        name = " ".join(x for x in (_s(r.get("first_name")), _s(r.get("last_name"))) if x) or None
        phone, email = _s(r.get("phone")), _s(r.get("email"))
        kwargs = dict(channel="portal", bylaw_type=bylaw_type, received_at=_ts(r["requested_datetime"]),
                      address=_s(r.get("address")), lat=lat, lon=lon, description=_s(r.get("description")),
                      complainant_name=name, complainant_phone=phone, complainant_email=email,
                      anonymous=not (name or phone or email), priority=service["priority"], source_ref=ref,
                      reference=reference, now=now)
        if closed:
            _complaint_without_case(db, actor, kwargs)
            counts["closed_at_source"] += 1
        else:
            out = create_complaint(db, actor, attach_to_case_id=attach, **kwargs)
            counts["new_cases" if out["created_case"] else "attached"] += 1
        seen.add(ref)
    return {**counts, "rejected_requests": rejected}


def _legacy_case(db: OpsDB, service_request_id: str) -> str | None:
    """The open case the legacy system already opened for this request, if imported."""
    with db.engine.connect() as c:
        return c.execute(sa.select(cases.c.case_id).where(
            cases.c.complaint_source == "open311", cases.c.complaint_ref == service_request_id,
            cases.c.status != lifecycle.CLOSED_STATUS)).scalar()


def _complaint_without_case(db: OpsDB, actor: User, kw: dict) -> None:
    from bylaw.audit import audited_insert, next_number, utc_now

    now = utc_now(kw.get("now"))
    with db.engine.begin() as c:
        complaint_id = f"CMP-{next_number(c, 'complaint'):08d}"
        ident = {} if kw["anonymous"] else dict(complainant_name=kw["complainant_name"],
                                                complainant_phone=kw["complainant_phone"],
                                                complainant_email=kw["complainant_email"])
        audited_insert(c, complaints, dict(
            complaint_id=complaint_id, channel="portal", received_at=kw["received_at"], address=kw["address"],
            lat=kw["lat"], lon=kw["lon"], bylaw_type=kw["bylaw_type"], description=kw["description"],
            anonymous=kw["anonymous"], source_ref=kw["source_ref"], **ident), actor.user_id, now)
