"""ALPR retention: purge plate reads that were not hits once the retention window has passed.

Plate numbers are personal information (MFIPPA; IPC Ontario): a read that found nothing is
kept only CIVIC_ALPR_RETENTION_HOURS (default 24) after capture. The purge

- deletes from the lake (``lake/alpr_reads/day=*/<batch>.parquet``, each affected file
  rewritten without those rows, atomically) every read captured before the cutoff that
  the warehouse has evaluated and that is neither a hit nor the first read (digital
  chalk) of a hit; the raw views read the lake, so they no longer show them;
- deletes the same reads from the warehouse's per-read tables
  (``staging.stg_alpr__plate_reads``, ``intermediate.int_plate_reads_evaluated``);
- purges quarantined ALPR records (rejected rows, never hits) quarantined before the cutoff;
- writes an audit record per rewritten file to ``lake/_audit/alpr_purge/`` (day, batch,
  rows purged and kept, rule, cutoff, when, by which run).

Aggregate counts survive: a read is purged only once every read aggregate
(``int_plate_reads_aggregated_hourly``, ``int_plate_reads_aggregated_by_shift``) has
absorbed it (its ``_landed_at`` is not after the aggregate's watermark), and those
incremental models never lower a recorded count. Reads not yet evaluated, not yet
aggregated or captured after the cutoff are kept for a later purge.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse.config import Paths
from warehouse.lake import write_parquet

SOURCE = "alpr_reads"
EVALUATED = "intermediate.int_plate_reads_evaluated"
# every warehouse table with a row per read (the staging table is incremental, not a view)
PER_READ_TABLES = ("staging.stg_alpr__plate_reads", EVALUATED)
AGGREGATES = ("intermediate.int_plate_reads_aggregated_hourly", "intermediate.int_plate_reads_aggregated_by_shift")
AUDIT_COLUMNS = [
    ("purged_at", pa.timestamp("us", tz="UTC")), ("run_id", pa.string()), ("rule", pa.string()),
    ("retention_hours", pa.float64()), ("cutoff", pa.timestamp("us", tz="UTC")), ("kind", pa.string()),
    ("day", pa.string()), ("batch_id", pa.string()), ("source_file", pa.string()), ("file", pa.string()),
    ("rows_before", pa.int64()), ("rows_purged", pa.int64()), ("rows_kept", pa.int64()),
]


def audit_dir(paths: Paths) -> Path:
    return paths.lake / "_audit" / "alpr_purge"


def default_retention_hours() -> float:
    from enforcement.config import retention_hours

    return retention_hours()


def _table_exists(con, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                       [schema, name]).fetchone()[0] > 0


def purge_non_hit_reads(paths: Paths, now: datetime | None = None, retention_hours: float | None = None,
                        run_id: str | None = None, include_quarantine: bool = True) -> dict:
    """Purge non-hit reads captured more than ``retention_hours`` before ``now``; return a summary."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    hours = float(default_retention_hours() if retention_hours is None else retention_hours)
    cutoff = now - timedelta(hours=hours)
    run_id = run_id or f"manual-{uuid.uuid4().hex[:12]}"
    rule = (f"non-hit plate reads captured before {cutoff.isoformat()} (retention {hours:g} h), evaluated by "
            f"{EVALUATED} and absorbed by the read aggregates; hits and the first reads (digital chalk) of hits are kept")
    summary = {"run_id": run_id, "purged_at": now.isoformat(), "cutoff": cutoff.isoformat(), "retention_hours": hours,
               "rows_purged": 0, "rows_kept": 0, "files_rewritten": 0, "quarantine_rows_purged": 0, "days": {},
               "skipped": None}
    lake_dir = paths.lake / SOURCE
    files = sorted(lake_dir.glob("day=*/*.parquet")) if lake_dir.is_dir() else []
    if not paths.warehouse_db.exists():
        summary["skipped"] = "no warehouse: nothing has been evaluated yet"
        return summary

    con = duckdb.connect(str(paths.warehouse_db))
    audit_rows: list[dict] = []
    try:
        con.execute("SET TimeZone = 'UTC'")
        if not _table_exists(con, EVALUATED):
            summary["skipped"] = f"{EVALUATED} is missing: reads have not been evaluated"
            return summary
        # every read aggregate must have absorbed a read before it goes
        marks = [con.execute(f"SELECT max(max_landed_at) FROM {agg}").fetchone()[0]
                 for agg in AGGREGATES if _table_exists(con, agg)]
        if not marks or any(m is None for m in marks):
            summary["skipped"] = "the read aggregates hold nothing yet: purging would lose the counts"
            return summary
        watermark = min(marks)
        # the lake files that can hold reads captured before the cutoff (partition = local day)
        last_day = (cutoff + timedelta(days=1)).date().isoformat()
        files = [f for f in files if f.parent.name[4:] <= last_day]
        doomed: dict[str, list[str]] = {}
        if files:
            rows = con.execute(f"""
                WITH keep AS (
                    SELECT read_id FROM {EVALUATED} WHERE is_hit
                    UNION SELECT first_read_id FROM {EVALUATED} WHERE is_hit AND first_read_id IS NOT NULL
                )
                SELECT f.filename, f.read_id
                FROM read_parquet(?, filename = true, union_by_name = true, hive_partitioning = false) AS f
                WHERE f.captured_at < ? AND f._landed_at <= ?
                  AND f.read_id IN (SELECT read_id FROM {EVALUATED})
                  AND f.read_id NOT IN (SELECT read_id FROM keep WHERE read_id IS NOT NULL)""",
                [[str(f) for f in files], cutoff, watermark]).fetchall()
            for fname, rid in rows:
                doomed.setdefault(fname, []).append(rid)
        purged_ids: set[str] = set()
        for fname in sorted(doomed):
            f = Path(fname)
            ids = doomed[fname]
            t = pq.read_table(f)
            kept = t.filter(pc.invert(pc.is_in(t["read_id"], value_set=pa.array(ids, pa.string()))))
            write_parquet(kept, f)  # atomic: temporary file, then rename
            purged_ids.update(ids)
            n_purged = t.num_rows - kept.num_rows
            day = f.parent.name[4:]
            audit_rows.append({"kind": "lake", "day": day, "batch_id": f.stem,
                               "source_file": ",".join(sorted(set(t["_source_file"].to_pylist()))),
                               "file": str(f.relative_to(paths.lake)), "rows_before": t.num_rows,
                               "rows_purged": n_purged, "rows_kept": kept.num_rows})
            summary["rows_purged"] += n_purged
            summary["rows_kept"] += kept.num_rows
            summary["files_rewritten"] += 1
            summary["days"][day] = summary["days"].get(day, 0) + n_purged
        if purged_ids:
            con.register("purged_ids", pa.table({"read_id": pa.array(sorted(purged_ids), pa.string())}))
            for table in PER_READ_TABLES:
                if _table_exists(con, table):
                    con.execute(f"DELETE FROM {table} WHERE read_id IN (SELECT read_id FROM purged_ids)")
            con.unregister("purged_ids")
        if include_quarantine:
            qdir = paths.quarantine / SOURCE
            for q in sorted(qdir.glob("*.parquet")) if qdir.is_dir() else []:
                t = pq.read_table(q)
                old = pc.fill_null(pc.less(t["_quarantined_at"], pa.scalar(cutoff, pa.timestamp("us", tz="UTC"))), False)
                n_old = int(pc.sum(pc.cast(old, pa.int64())).as_py() or 0)
                if not n_old:
                    continue
                kept = t.filter(pc.invert(old))
                write_parquet(kept, q)
                audit_rows.append({"kind": "quarantine", "day": None, "batch_id": q.stem,
                                   "source_file": ",".join(sorted(set(t["_source_file"].to_pylist()))),
                                   "file": str(q.relative_to(paths.lake)), "rows_before": t.num_rows,
                                   "rows_purged": n_old, "rows_kept": kept.num_rows})
                summary["quarantine_rows_purged"] += n_old
    finally:
        con.close()
    summary["audit_file"] = _write_audit(paths, audit_rows, now, run_id, rule, hours, cutoff)
    return summary


def _write_audit(paths: Paths, rows: list[dict], now: datetime, run_id: str, rule: str, hours: float,
                 cutoff: datetime) -> str:
    """One Parquet file per purge run (also when nothing was purged: the run is on record)."""
    if not rows:
        rows = [{"kind": "none", "day": None, "batch_id": None, "source_file": None, "file": None,
                 "rows_before": 0, "rows_purged": 0, "rows_kept": 0}]
    full = [{"purged_at": now, "run_id": run_id, "rule": rule, "retention_hours": hours, "cutoff": cutoff, **r}
            for r in rows]
    table = pa.Table.from_pylist(full, schema=pa.schema(AUDIT_COLUMNS))
    path = audit_file(audit_dir(paths), now, run_id)
    write_parquet(table, path)
    return str(path)


def audit_file(folder: Path, now: datetime, run_id: str) -> Path:
    """``<folder>/purge_<UTC time>_<run id>.parquet``: one audit file per purge run."""
    safe_run = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in run_id)
    return folder / f"purge_{now.strftime('%Y%m%dT%H%M%S')}_{safe_run}.parquet"


def read_audit_dir(folder: Path, columns: list) -> pa.Table:
    """Every audit record in a folder (empty, with those columns, when there is none)."""
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if not files:
        return pa.Table.from_pylist([], schema=pa.schema(columns))
    return pa.concat_tables([pq.read_table(f) for f in files])


def read_audit(paths: Paths):
    """Every purge record so far (a pyarrow Table; empty when nothing was ever purged)."""
    return read_audit_dir(audit_dir(paths), AUDIT_COLUMNS)


__all__ = ["purge_non_hit_reads", "read_audit", "audit_dir", "audit_file", "read_audit_dir", "default_retention_hours"]
