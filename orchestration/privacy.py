"""Privacy: the daily purge of non-hit ALPR reads (thin wiring around warehouse/retention.py)."""

import dagster as dg

from warehouse.config import paths
from warehouse.retention import purge_non_hit_reads as purge

PRIVACY_GROUP = "privacy"


@dg.asset(
    key="purge_non_hit_reads",
    group_name=PRIVACY_GROUP,
    deps=[dg.AssetKey(["intermediate", "int_plate_reads_evaluated"]),
          dg.AssetKey(["intermediate", "int_plate_reads_aggregated_hourly"])],
    kinds={"parquet", "python"},
    description="Deletes plate reads that were not hits from the lake and the warehouse once the retention window "
                "(CIVIC_ALPR_RETENTION_HOURS, default 24) has passed, and writes an audit record to lake/_audit/alpr_purge/. "
                "Hits, the reads that chalked them and every aggregate count are kept. Runs daily (purge_non_hit_reads_schedule); "
                "never part of `civic pipeline run`.",
)
def purge_non_hit_reads(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    result = purge(paths(), run_id=context.run_id)
    if result["skipped"]:
        context.log.warning(f"purge skipped: {result['skipped']}")
    return dg.MaterializeResult(metadata={
        "rows_purged": result["rows_purged"], "rows_kept_in_rewritten_files": result["rows_kept"],
        "files_rewritten": result["files_rewritten"], "quarantine_rows_purged": result["quarantine_rows_purged"],
        "cutoff": result["cutoff"], "retention_hours": result["retention_hours"],
        "purged_by_day": dg.MetadataValue.json(result["days"]), "skipped": str(result["skipped"]),
        "audit_file": str(result.get("audit_file")),
    })


purge_job = dg.define_asset_job("purge_non_hit_reads_job", selection=[purge_non_hit_reads],
                                description="The ALPR retention purge (non-hit reads past the retention window).")
purge_schedule = dg.ScheduleDefinition(
    name="purge_non_hit_reads_schedule", job=purge_job, cron_schedule="30 3 * * *",
    execution_timezone="America/Toronto", default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day at 03:30 local time.")
