"""Legacy extracts brought in by hand: `civic import toronto-tickets FILE...`.

The files are delivered into landing/ like any other source (so the sensor, the lake,
quarantine and re-delivery rules all apply) and landed at once.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

from warehouse.config import paths
from warehouse.ingest import file_sha256, ingest_files, landing_files

SOURCE = "toronto_tickets"


def deliver(files: list[str | Path], source_name: str, today: date | None = None) -> list[Path]:
    """Copy files into landing/<source>/, named for today's delivery; a file whose content
    is already there is not copied twice."""
    p = paths()
    folder = p.landing / source_name
    folder.mkdir(parents=True, exist_ok=True)
    known = {file_sha256(f): f for f in landing_files(p, source_name)}
    day = (today or date.today()).isoformat()
    out = []
    for f in map(Path, files):
        if not f.is_file():
            raise FileNotFoundError(f"{f}: no such file")
        sha = file_sha256(f)
        if sha in known:
            out.append(known[sha])
            continue
        target = folder / f"{f.stem}_{day}{f.suffix}"
        shutil.copyfile(f, target)
        known[sha] = target
        out.append(target)
    return out


def import_toronto_tickets(files: list[str | Path], build: bool = True) -> dict:
    p = paths()
    delivered = deliver(files, SOURCE)
    results = ingest_files(p, SOURCE, delivered)
    batch_ids = [r.batch_id for r in results]
    reasons: dict[str, int] = {}
    for r in results:
        for k, v in (r.reasons or {}).items():
            reasons[k] = reasons.get(k, 0) + v
    fine_total = 0.0
    if batch_ids:
        glob = (p.lake / SOURCE / "day=*" / "*.parquet").as_posix()
        fine_total = duckdb.connect().execute(
            f"""SELECT coalesce(sum("Fine Amount"), 0) FROM read_parquet('{glob}', hive_partitioning = false)
                WHERE _batch_id IN (SELECT unnest(?::VARCHAR[]))""", [batch_ids]).fetchone()[0]
    out = {
        "rows_read": sum(r.rows_in for r in results),
        "landed": sum(r.landed for r in results),
        "quarantined": sum(r.quarantined for r in results),
        "fine_total_landed": round(float(fine_total), 2),
        "quarantine_reasons": reasons,
        "files": [{"file": r.source_file, "batch_id": r.batch_id, "already_imported": r.skipped} for r in results],
    }
    if build:
        from orchestration.run import run_pipeline

        out["pipeline"] = {k: v for k, v in run_pipeline().items() if k in ("transform_run_id", "serving_db")}
    return out
