"""One Dagster asset per landed source (``raw/<source>``), partitioned by delivery day."""


from datetime import date, timedelta

import dagster as dg

from data_contracts.sources import SOURCES, Source
from warehouse.config import paths
from warehouse.ingest import ingest_files, landing_files, summarize

PARTITIONS_START = "2020-01-01"
delivery_days = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="America/Toronto", end_offset=1)


def _window(context: dg.AssetExecutionContext) -> tuple[date, date]:
    # A single run may cover a range of days (single-run backfill, `civic pipeline run`).
    keys = context.partition_key_range
    return date.fromisoformat(keys.start), date.fromisoformat(keys.end)


def build_ingestion_asset(src: Source) -> dg.AssetsDefinition:
    check = dg.AssetCheckSpec("rows_reconcile", asset=dg.AssetKey(["raw", src.name]),
                              description="Every delivered row either landed or was quarantined: rows_in = landed + quarantined.")

    @dg.asset(
        key=["raw", src.name],
        group_name="landing",
        partitions_def=delivery_days,
        backfill_policy=dg.BackfillPolicy.single_run(),
        check_specs=[check],
        description=f"{src.system}: `{src.format}` files from landing/{src.name}/, validated by the "
                    f"`{src.name}_contract` Great Expectations suite; valid rows land in lake/{src.name}/ "
                    f"(Parquet by event day), the rest in quarantine with a reason.",
        kinds={"parquet", "python"},
    )
    def _ingest(context: dg.AssetExecutionContext):
        p = paths()
        start, end = _window(context)
        files = landing_files(p, src.name, start, end)
        context.log.info(f"{src.name}: {len(files)} file(s) delivered {start}..{end}")
        results = ingest_files(p, src.name, files,
                               progress=lambda s, i, n: context.log.info(f"{s}: {i}/{n} files"))
        s = summarize(results)
        bad = [r.source_file for r in results if r.rows_in != r.landed + r.quarantined]
        yield dg.MaterializeResult(
            metadata={
                "files": s["files"], "new_batches": s["new_batches"], "redelivered_files": s["redelivered"],
                "rows_in": s["rows_in"], "landed": s["landed"], "quarantined": s["quarantined"],
                "quarantine_reasons": dg.MetadataValue.json(s["quarantine_reasons"]),
                "delivery_window": f"{start}..{end}",
            },
            check_results=[dg.AssetCheckResult(
                check_name="rows_reconcile", passed=not bad,
                metadata={"rows_in": s["rows_in"], "landed": s["landed"], "quarantined": s["quarantined"],
                          "batches_not_reconciling": dg.MetadataValue.json(bad)})],
        )

    return _ingest


ingestion_assets = [build_ingestion_asset(src) for src in SOURCES.values()]


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
