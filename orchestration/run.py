"""Run the whole pipeline from the command line, recorded in the same Dagster instance the UI shows."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from data_contracts.sources import SOURCES
from warehouse.config import paths

DAGSTER_YAML = """\
# Written by civic: the pipeline owns one DuckDB file, so runs go one at a time.
run_queue:
  max_concurrent_runs: 1
telemetry:
  enabled: false
"""


def prepare_dagster_home() -> Path:
    home = paths().dagster_home
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        cfg.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    # One "planned" event per asset for a range run instead of one per day: a year's first
    # load is 365 days x 23 sources, and every event is a SQLite write (Dagster's own switch).
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    return home


def relax_dagster_sqlite(home: Path) -> None:
    """Make Dagster's SQLite history cheap to write for the rest of this (short-lived) process.

    Dagster opens and closes a SQLite connection per event; closing the last connection to a
    WAL database checkpoints it, and every commit fsyncs: ~40-50 ms per event on this disk,
    and a dbt build records ~800 events. So, for files under DAGSTER_HOME only (the ops
    database keeps full durability): synchronous=NORMAL (WAL never corrupts; a power cut
    may lose the last events of the run in progress), and one idle connection kept open
    per file so a close is not the last one (SQLite then checkpoints every 1,000 pages
    as usual). For the pipeline CLI, not for long-lived servers (one kept connection per
    run's event file)."""
    import sqlite3

    import sqlalchemy as sa

    prefix = str(home.resolve())
    if getattr(relax_dagster_sqlite, "prefix", None) == prefix:
        return
    keepers: dict[str, sqlite3.Connection] = {}

    def on_connect(dbapi_connection, _record):
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        for _seq, _name, file in dbapi_connection.execute("PRAGMA database_list").fetchall():
            if file and file.startswith(prefix):
                dbapi_connection.execute("PRAGMA synchronous=NORMAL")
                if file not in keepers:
                    keepers[file] = sqlite3.connect(file, check_same_thread=False)
                    keepers[file].execute("PRAGMA journal_mode=WAL")

    if hasattr(relax_dagster_sqlite, "listener"):
        sa.event.remove(sa.engine.Engine, "connect", relax_dagster_sqlite.listener)
    sa.event.listen(sa.engine.Engine, "connect", on_connect)
    relax_dagster_sqlite.listener, relax_dagster_sqlite.prefix = on_connect, prefix


# Dagster logs every event at DEBUG; the per-partition events of a year's load are
# thousands of lines. INFO keeps the assets' progress messages.
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def delivery_windows() -> dict[tuple[str, str], list[str]]:
    """The sources with landing files not landed yet, grouped by the first and last delivery
    day of those files: one ranged run per group, so a source with one new file is not run
    (and recorded by Dagster) over every day of the others'."""
    from warehouse.ingest import delivery_date, unlanded_files

    p = paths()
    groups: dict[tuple[str, str], list[str]] = {}
    for name in SOURCES:
        days = [delivery_date(f) for f in unlanded_files(p, name)]
        if days:
            groups.setdefault((min(days).isoformat(), max(days).isoformat()), []).append(name)
    return groups


@contextlib.contextmanager
def _stdout_to_stderr():
    """dbt's progress goes to stdout; keep stdout for the command's one JSON result."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def run_pipeline(log=lambda m: print(m, file=sys.stderr, flush=True)) -> dict:
    """Export the ops database to landing, land every delivered file, build the dbt models, publish the serving snapshot."""
    with _stdout_to_stderr():
        return _run_pipeline(log)


def _run_pipeline(log) -> dict:
    relax_dagster_sqlite(prepare_dagster_home())
    import dagster as dg

    from orchestration.definitions import all_assets, defs
    from orchestration.ops_export import ops_review_export
    from orchestration.transform import civic_dbt_models, serving_snapshot

    resources = {"dbt": defs.resources["dbt"]}
    instance = dg.DagsterInstance.get()
    out: dict = {"dagster_home": os.environ["DAGSTER_HOME"]}
    t0 = time.perf_counter()
    # The ops database is a source like any other: what officers decided since the last run
    # becomes landing files first, so this run lands and builds it.
    log("[1/3] exporting review decisions, tickets and bylaw cases from the ops database")
    res = dg.materialize(all_assets, selection=[ops_review_export.key], instance=instance, resources=resources,
                         run_config=RUN_CONFIG)
    md = res.get_asset_materialization_events()[0].materialization.metadata
    out["ops_export"] = {k: int(md[k].value) for k in ("review_decisions", "review_tickets")}
    out["bylaw_export"] = {k.removeprefix("ops_"): int(md[k].value) for k in md if k.startswith("ops_")}
    log(f"      {out['ops_export']['review_decisions']} decision(s), {out['ops_export']['review_tickets']} ticket(s), "
        f"{out['bylaw_export'].get('bylaw_cases', 0)} bylaw case(s)")
    windows = delivery_windows()
    totals = {"rows_in": 0, "landed": 0, "quarantined": 0}
    out["ingest_run_ids"] = []
    if not windows:
        log("[2/3] no new landing files: nothing to land")
    for (start, end), names in sorted(windows.items()):
        log(f"[2/3] landing {len(names)} source(s) with files delivered {start}..{end}: {', '.join(names)}")
        res = dg.materialize(
            all_assets, selection=[dg.AssetKey(["raw", n]) for n in names], instance=instance, resources=resources,
            run_config=RUN_CONFIG,
            tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
        )
        out["ingest_run_ids"].append(res.run_id)
        # A range run records one materialization per partition, all with the run's metadata.
        per_asset = {m.asset_key: m.materialization.metadata for m in res.get_asset_materialization_events()}
        for md in per_asset.values():
            for k in totals:
                totals[k] += int(md[k].value) if k in md else 0
    out["ingest"] = totals
    if windows:
        log(f"      landed {totals['landed']:,} rows, quarantined {totals['quarantined']:,} "
            f"({time.perf_counter() - t0:.1f} s)")
    t1 = time.perf_counter()
    log("[3/3] dbt build and serving snapshot")
    # Every dbt model, seed and test and the snapshot; not the privacy purge, which runs on
    # its schedule (orchestration/privacy.py): a pipeline run never deletes reads. The whole
    # dbt asset (no subset) lets dagster-dbt run plain `dbt build` instead of naming every node.
    res = dg.materialize(all_assets, selection=dg.AssetSelection.assets(civic_dbt_models, serving_snapshot),
                         instance=instance, resources=resources, run_config=RUN_CONFIG)
    out["transform_run_id"] = res.run_id
    out["seconds"] = round(time.perf_counter() - t0, 1)
    log(f"      done ({time.perf_counter() - t1:.1f} s); snapshot at {paths().serving_db}")
    out["serving_db"] = str(paths().serving_db)
    return out
