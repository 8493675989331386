"""The live check of one plate read: `civic alpr check --plate P --at TIME --lat Y --lon X`.

Reads what the rules need from the serving snapshot's ``enforcement`` schema (blockfaces,
recent payments, permits, exemptions, open tickets, the day's reads for the digital chalk;
plates only as pseudonyms), puts the read in a one-row table and runs the rules' macro
(``evaluate_plate_reads``, dbt_project/macros/rules/evaluate.sql) on it in DuckDB: the same
SQL the warehouse runs over the ALPR stream.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from enforcement.rules import RuleRenderer

CITY_TZ = "America/Toronto"
SNAPSHOT_TABLES = {
    "live_blockfaces": "SELECT * FROM snap.enforcement.enf_blockfaces",
    "live_payments": "SELECT payment_id, plate_pseudonym AS plate_key, zone_id, started_at, ended_at "
                     "FROM snap.enforcement.enf_payments_recent",
    "live_permits": "SELECT permit_id, plate_pseudonym AS plate_key, permit_type, permit_area_id, valid_from, valid_to, status "
                    "FROM snap.enforcement.enf_permits_active",
    "live_exemptions": "SELECT exemption_id, plate_pseudonym AS plate_key, reason, zone_id, valid_from, valid_to "
                       "FROM snap.enforcement.enf_exemptions_active",
    "live_tickets": "SELECT ticket_id, plate_pseudonym AS plate_key, issued_at, settled_at, amount_outstanding "
                    "FROM snap.enforcement.enf_unpaid_tickets",
    "live_prior": "SELECT read_id, plate_pseudonym AS plate_key, blockface_id, captured_at "
                  "FROM snap.enforcement.enf_reads_recent WHERE captured_at < (SELECT captured_at FROM live_reads)",
}


class SnapshotMissing(RuntimeError):
    pass


def parse_time(text: str | None) -> datetime:
    """ISO 8601; without an offset it is local time in the city. None: now."""
    if not text:
        return datetime.now(ZoneInfo(CITY_TZ))
    t = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "T"))
    return t if t.tzinfo else t.replace(tzinfo=ZoneInfo(CITY_TZ))


def _serving_path(path: str | Path | None) -> Path:
    if path:
        return Path(path)
    from warehouse.config import paths

    return paths().serving_db


def check_read(plate: str, at: str | datetime | None, lat: float, lon: float,
               serving_path: str | Path | None = None, renderer: RuleRenderer | None = None) -> dict[str, Any]:
    """The verdict on one read of ``plate`` at ``at`` (local time unless it has an offset)
    at (lat, lon), with the reasons and the rule inputs used."""
    when = at if isinstance(at, datetime) else parse_time(at)
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(CITY_TZ))
    snap_path = _serving_path(serving_path)
    if not snap_path.exists():
        raise SnapshotMissing(f"no serving snapshot at {snap_path}: run `civic pipeline run` first")
    r = renderer or RuleRenderer()
    con = duckdb.connect()
    try:
        con.execute(f"SET TimeZone = '{CITY_TZ}'")
        con.execute("ATTACH ? AS snap (READ_ONLY)", [str(snap_path)])
        have = {t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'snap' AND table_schema = 'enforcement'").fetchall()}
        need = {"enf_blockfaces", "enf_payments_recent", "enf_permits_active", "enf_exemptions_active",
                "enf_unpaid_tickets", "enf_reads_recent"}
        if need - have:
            raise SnapshotMissing(f"the serving snapshot {snap_path} lacks enforcement.{', enforcement.'.join(sorted(need - have))}: "
                                  "run `civic pipeline run` to publish them")
        con.execute("CREATE TEMP TABLE live_input (plate VARCHAR, captured_at TIMESTAMPTZ, lat DOUBLE, lon DOUBLE)")
        con.execute("INSERT INTO live_input VALUES (?, ?, ?, ?)", [plate, when, float(lat), float(lon)])
        pseudonym = r.render("plate_pseudonym('plate')")
        con.execute(f"CREATE TEMP TABLE live_reads AS SELECT 'LIVE' AS read_id, {pseudonym} AS plate_key, "
                    "captured_at, lat, lon FROM live_input")
        for name, sql in SNAPSHOT_TABLES.items():
            con.execute(f"CREATE TEMP VIEW {name} AS {sql}")
        sql = r.render("evaluate_plate_reads('live_reads', 'live_payments', 'live_permits', 'live_exemptions', "
                       "'live_blockfaces', 'live_tickets', prior_reads='live_prior', explain=true)")
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        row = dict(zip(cols, cur.fetchone()))
        bf = {}
        if row["blockface_id"] is not None:
            bcur = con.execute("SELECT * EXCLUDE (geometry_wkt) FROM live_blockfaces WHERE blockface_id = ?", [row["blockface_id"]])
            bf = dict(zip([d[0] for d in bcur.description], bcur.fetchone()))
        info = con.execute("SELECT published_at, data_as_of FROM snap.meta.snapshot_info").fetchone() \
            if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'snap' "
                           "AND table_schema = 'meta' AND table_name = 'snapshot_info'").fetchone()[0] else (None, None)
    finally:
        con.close()
    return _result(plate, when, lat, lon, row, bf, snap_path, info)


def _iso(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.astimezone(ZoneInfo(CITY_TZ)).isoformat()
    return str(v)


def _num(v, nd=2):
    return None if v is None else round(float(v), nd)


def _result(plate, when, lat, lon, row, bf, snap_path, info) -> dict[str, Any]:
    violations = [{"violation_type": v["violation_type"], "bylaw_code": v["bylaw_code"], "description": v["description"],
                   "fine": v["fine"], "reason": v["reason"]} for v in (row["violations"] or [])]
    return {
        "plate": plate,
        "plate_pseudonym": row["plate_key"],
        "at": when.astimezone(ZoneInfo(CITY_TZ)).isoformat(),
        "lat": lat,
        "lon": lon,
        "blockface": None if row["blockface_id"] is None else {
            "blockface_id": row["blockface_id"], "zone_id": row["zone_id"], "street": bf.get("street"),
            "side": bf.get("side"), "distance_m": _num(row["distance_m"]), "along_m": _num(row["along_m"])},
        "verdict": row["verdict"],
        "violation_type": row["violation_type"],
        "bylaw_code": row["bylaw_code"],
        "fine": row["fine_amount"],
        "reasons": list(row["reasons"] or []),
        "violations": violations,
        "is_hit": bool(row["is_hit"]),
        "scofflaw": {"is_scofflaw": bool(row["is_scofflaw"]), "unpaid_tickets": int(row["unpaid_tickets"] or 0),
                     "unpaid_total": _num(row["unpaid_total"])},
        "rule_inputs": {
            "blockface": {k: (_num(v) if isinstance(v, float) else v) for k, v in bf.items()
                          if k not in ("centroid_lat", "centroid_lon")},
            "local_date": _iso(row["local_date"]),
            "covering_payment_id": row["payment_id"],
            "paid_until": _iso(row["paid_until"]),
            "last_payment_ended_at": _iso(row["last_payment_ended_at"]),
            "area_permit_id": row["area_permit_id"],
            "accessible_permit_id": row["accessible_permit_id"],
            "exemption_id": row["exemption_id"],
            "exemption_reason": row["exemption_reason"],
            "chalk_first_read_id": row["first_read_id"],
            "chalk_first_read_at": _iso(row["first_read_at"]),
        },
        "snapshot": {"path": str(snap_path), "published_at": _iso(info[0]), "data_as_of": _iso(info[1])},
    }
