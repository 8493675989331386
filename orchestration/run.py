"""Run the whole pipeline from the command line, recorded in the same Dagster instance the UI shows."""

from __future__ import annotations

import contextlib
import logging
import os
import re
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

    Dagster's SQLite event log builds a new SQLAlchemy engine for every event it stores
    (``SqliteEventLogStorage._connect``: ``create_engine`` + NullPool, then ``dispose``), so
    each of the ~1,200 events of an incremental run pays an engine, a connection and a
    statement compilation (an engine's compiled-statement cache dies with it), and closing
    the last connection to a WAL file checkpoints it. For the event files under
    DAGSTER_HOME, this process keeps one engine per file (its pooled connection stays open,
    its statement cache warm; at most 16, the oldest disposed) with synchronous=NORMAL: WAL
    never corrupts, a power cut may lose the last events of the run in progress. The ops
    database keeps full durability. For the pipeline CLI, not for long-lived servers."""
    import collections

    import sqlalchemy as sa
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
    from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS

    original = getattr(relax_dagster_sqlite, "original", None) or SqliteEventLogStorage._connect
    prefix = str(home.resolve())
    engines: collections.OrderedDict[str, sa.Engine] = collections.OrderedDict()

    def engine_for(url: str) -> sa.Engine:
        engine = engines.pop(url, None)
        if engine is None:
            engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                                                         "check_same_thread": False})

            @sa.event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection, _record):
                dbapi_connection.execute("PRAGMA journal_mode=WAL")
                dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        engines[url] = engine
        while len(engines) > 16:
            engines.popitem(last=False)[1].dispose()
        return engine

    @contextlib.contextmanager
    def kept_connect(self, shard: str):
        if not str(Path(self._base_dir).resolve()).startswith(prefix):
            with original(self, shard) as conn:
                yield conn
            return
        with self._db_lock:
            engine = engine_for(self.conn_string_for_shard(shard))
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    # Each stored asset-check result and tagged event first asks whether a table exists,
    # through a new engine and connection each time (``has_table``): a table, once there,
    # stays (migrations only add), so a "yes" is remembered.
    original_has_table = getattr(relax_dagster_sqlite, "original_has_table", None) or SqliteEventLogStorage.has_table
    present: set[tuple[str, str]] = set()

    def remembered_has_table(self, table_name: str) -> bool:
        key = (str(self._base_dir), table_name)
        if key in present:
            return True
        found = original_has_table(self, table_name)
        if found and str(Path(self._base_dir).resolve()).startswith(prefix):
            present.add(key)
        return found

    SqliteEventLogStorage._connect = kept_connect
    SqliteEventLogStorage.has_table = remembered_has_table
    relax_dagster_sqlite.original = original
    relax_dagster_sqlite.original_has_table = original_has_table


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


class LeftAsBuiltNotes(logging.Filter):
    """The dbt nodes a run leaves as built (warehouse/dbt_changes.py) yield no output and their
    tests no check result, by design. Dagster says so in one INFO line listing every such
    output (tens of thousands of characters) and one warning per blocking check; this filter
    shortens the first and counts the second, for the pipeline's summary to say once."""

    _UNYIELDED = re.compile(r"did not yield or return expected outputs (\{.*\})\.?", re.S)
    _UNCHECKED = re.compile(r"^Blocking asset check .* emitted no result in step ")

    def __init__(self):
        super().__init__()
        self.unchecked = 0

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        if self._UNCHECKED.match(msg):
            self.unchecked += 1
            return False
        found = self._UNYIELDED.search(msg)
        if found:
            n = found.group(1).count("', '") + 1
            record.msg = msg.replace(found.group(0), f"emitted no result for {n} dbt test(s) of nodes left as built")
            record.args = ()
        return True


@contextlib.contextmanager
def left_as_built_quieted(notes: LeftAsBuiltNotes):
    """``notes`` on Dagster's console logger (made fresh per run, of the current logger class)
    and on the execution plan's logger, for the duration."""
    plan_logger = logging.getLogger("dagster._core.execution.plan.active")
    base = logging.getLoggerClass()

    class NotedLogger(base):
        def __init__(self, name, level=logging.NOTSET):
            super().__init__(name, level)
            self.addFilter(notes)

    plan_logger.addFilter(notes)
    logging.setLoggerClass(NotedLogger)
    try:
        yield notes
    finally:
        logging.setLoggerClass(base)
        plan_logger.removeFilter(notes)


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
    from warehouse.ingest import start_landing_workers

    start_landing_workers()  # before Dagster's imports and threads: they overlap its contract imports
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
    t_export = time.perf_counter()
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
    with left_as_built_quieted(LeftAsBuiltNotes()) as notes:
        res = dg.materialize(all_assets, selection=dg.AssetSelection.assets(civic_dbt_models, serving_snapshot),
                             instance=instance, resources=resources, run_config=RUN_CONFIG)
    out["transform_run_id"] = res.run_id
    out["seconds"] = round(time.perf_counter() - t0, 1)
    # dbt models and seeds rebuilt, and those left as built (no raw relation they read changed)
    statuses = [str(m.materialization.metadata["status"].value) for m in res.get_asset_materialization_events()
                if m.asset_key != serving_snapshot.key and "status" in m.materialization.metadata]
    out["dbt"] = {"built": sum(s != "reused" for s in statuses), "reused": statuses.count("reused")}
    # where a run's time went (the process's start-up before t0 is not counted)
    snapshot = [m.materialization.metadata for m in res.get_asset_materialization_events()
                if m.asset_key == serving_snapshot.key]
    out["phases_s"] = {"ops_export": round(t_export - t0, 1), "landing": round(t1 - t_export, 1),
                       "transform": round(time.perf_counter() - t1, 1),
                       "of_which_snapshot": round(float(snapshot[0]["seconds"].value), 1) if snapshot else None}
    log(f"      done ({time.perf_counter() - t1:.1f} s): {out['dbt']['built']} model(s) built, "
        f"{out['dbt']['reused']} left as built"
        + (f", {notes.unchecked} blocking test(s) of such nodes not run again" if notes.unchecked else "") + "; "
        + (f"snapshot at {paths().serving_db}" if snapshot else "nothing changed, the snapshot stands"))
    out["serving_db"] = str(paths().serving_db)
    return out
