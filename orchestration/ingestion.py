"""One Dagster asset per landed source (``raw/<source>``), partitioned by delivery day; the
sources of one run land in one step, side by side."""


from datetime import date, timedelta

import dagster as dg

from data_contracts.sources import SOURCES, Source
from warehouse.config import paths
from warehouse.ingest import ingest_sources, landing_files, summarize

PARTITIONS_START = "2020-01-01"
delivery_days = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="America/Toronto", end_offset=1)


def _window(context: dg.AssetExecutionContext) -> tuple[date, date]:
    # A single run may cover a range of days (single-run backfill, `civic pipeline run`).
    keys = context.partition_key_range
    return date.fromisoformat(keys.start), date.fromisoformat(keys.end)


def _raw_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", name])


def _spec(src: Source) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=_raw_key(src.name), group_name="landing", kinds={"parquet", "python"}, skippable=True,
        description=f"{src.system}: `{src.format}` files from landing/{src.name}/, validated by the "
                    f"`{src.name}_contract` Great Expectations suite; valid rows land in lake/{src.name}/ "
                    f"(Parquet by event day), the rest in quarantine with a reason.")


@dg.multi_asset(
    name="land_deliveries",
    specs=[_spec(src) for src in SOURCES.values()],
    check_specs=[dg.AssetCheckSpec("rows_reconcile", asset=_raw_key(name),
                                   description="Every delivered row either landed or was quarantined: "
                                               "rows_in = landed + quarantined.") for name in SOURCES],
    partitions_def=delivery_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=True,
)
def land_deliveries(context: dg.AssetExecutionContext):
    """One asset per source (``raw/<source>``); the sources chosen for a run land side by side
    in one step (warehouse/ingest.py: ingest_sources)."""
    p = paths()
    start, end = _window(context)
    names = [name for name in SOURCES if _raw_key(name) in context.selected_asset_keys]
    files = {name: landing_files(p, name, start, end) for name in names}
    for name in names:
        context.log.info(f"{name}: {len(files[name])} file(s) delivered {start}..{end}")
    results = ingest_sources(p, files, progress=lambda s, i, n: context.log.info(f"{s}: {i}/{n} files"))
    failed = {name: r for name, r in results.items() if isinstance(r, Exception)}
    for name in names:
        if name in failed:
            context.log.error(f"{name}: landing failed: {failed[name]!r}")
            continue
        s = summarize(results[name])
        bad = [r.source_file for r in results[name] if r.rows_in != r.landed + r.quarantined]
        yield dg.MaterializeResult(
            asset_key=_raw_key(name),
            metadata={
                "files": s["files"], "new_batches": s["new_batches"], "redelivered_files": s["redelivered"],
                "rows_in": s["rows_in"], "landed": s["landed"], "quarantined": s["quarantined"],
                "quarantine_reasons": dg.MetadataValue.json(s["quarantine_reasons"]),
                "delivery_window": f"{start}..{end}",
            },
            check_results=[dg.AssetCheckResult(
                asset_key=_raw_key(name), check_name="rows_reconcile", passed=not bad,
                metadata={"rows_in": s["rows_in"], "landed": s["landed"], "quarantined": s["quarantined"],
                          "batches_not_reconciling": dg.MetadataValue.json(bad)})],
        )
    if failed:
        # the other sources' materializations above are recorded; the run shows these failed
        raise dg.Failure(description=f"landing failed for {', '.join(sorted(failed))}",
                         metadata={name: repr(exc) for name, exc in failed.items()}) from next(iter(failed.values()))


ingestion_assets = [land_deliveries]


@dg.sensor(minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           asset_selection=dg.AssetSelection.groups("landing"))
def landing_file_sensor(context: dg.SensorEvaluationContext):
    """Start an ingestion run for every newly delivered landing file (by source and delivery day)."""
    from warehouse.ingest import already_ingested, delivery_date

    p = paths()
    seen = set(context.cursor.split("\n")) if context.cursor else set()
    requests, now_seen = [], set(seen)
    for name in SOURCES:
        for f in landing_files(p, name):
            st = f.stat()
            token = f"{name}/{f.name}:{st.st_size}:{int(st.st_mtime)}"
            if token in seen:
                continue
            now_seen.add(token)
            if already_ingested(p, name, f):  # e.g. landed by `civic pipeline run`
                continue
            day = delivery_date(f)
            if day < date.fromisoformat(PARTITIONS_START) or day > date.today() + timedelta(days=1):
                context.log.warning(f"{f}: delivery day {day} is outside the partitions; run `civic pipeline run`")
                continue
            requests.append(dg.RunRequest(run_key=token, asset_selection=[dg.AssetKey(["raw", name])],
                                          partition_key=day.isoformat()))
    context.update_cursor("\n".join(sorted(now_seen)))
    return requests
