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
    return home


def delivery_window() -> tuple[str, str] | None:
    """The delivery days of the landing files not landed yet (None: nothing new)."""
    from warehouse.ingest import delivery_date, unlanded_files

    p = paths()
    days = [delivery_date(f) for name in SOURCES for f in unlanded_files(p, name)]
    return (min(days).isoformat(), max(days).isoformat()) if days else None


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
    """Land every delivered file, build the dbt models, publish the serving snapshot."""
    with _stdout_to_stderr():
        return _run_pipeline(log)


def _run_pipeline(log) -> dict:
    prepare_dagster_home()
    import dagster as dg

    from orchestration.definitions import all_assets, defs

    resources = {"dbt": defs.resources["dbt"]}
    instance = dg.DagsterInstance.get()
    out: dict = {"dagster_home": os.environ["DAGSTER_HOME"]}
    window = delivery_window()
    t0 = time.perf_counter()
    if window:
        log(f"[1/2] landing files delivered {window[0]}..{window[1]} ({len(SOURCES)} sources)")
        res = dg.materialize(
            all_assets, selection=dg.AssetSelection.groups("landing"), instance=instance, resources=resources,
            tags={"dagster/asset_partition_range_start": window[0], "dagster/asset_partition_range_end": window[1]},
        )
        out["ingest_run_id"] = res.run_id
        totals = {"rows_in": 0, "landed": 0, "quarantined": 0}
        # A range run records one materialization per partition, all with the run's metadata.
        per_asset = {m.asset_key: m.materialization.metadata for m in res.get_asset_materialization_events()}
        for md in per_asset.values():
            for k in totals:
                totals[k] += int(md[k].value) if k in md else 0
        out["ingest"] = totals
        log(f"      landed {totals['landed']:,} rows, quarantined {totals['quarantined']:,} "
            f"({time.perf_counter() - t0:.1f} s)")
    else:
        out["ingest"] = {"rows_in": 0, "landed": 0, "quarantined": 0}
        log("[1/2] no new landing files: nothing to land")
    t1 = time.perf_counter()
    log("[2/2] dbt build and serving snapshot")
    # Everything downstream of landing except the privacy purge, which runs on its schedule
    # (orchestration/privacy.py): a pipeline run never deletes reads.
    res = dg.materialize(all_assets, selection=dg.AssetSelection.groups("landing").downstream()
                         - dg.AssetSelection.groups("landing") - dg.AssetSelection.groups("privacy"),
                         instance=instance, resources=resources)
    out["transform_run_id"] = res.run_id
    out["seconds"] = round(time.perf_counter() - t0, 1)
    log(f"      done ({time.perf_counter() - t1:.1f} s); snapshot at {paths().serving_db}")
    out["serving_db"] = str(paths().serving_db)
    return out
