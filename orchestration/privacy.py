"""Privacy: the daily purges (thin wiring around warehouse/retention.py and warehouse/mto_responses.py):
non-hit ALPR reads past the retention window, and MTO owner records of settled tickets.

Neither is part of `civic pipeline run` (orchestration/run.py leaves out the "privacy" group):
deleting is the schedule's job, on its own and audited, not a side effect of a rebuild.
"""

import dagster as dg

from orchestration.scheduling import scheduled_asset_job

from warehouse.config import paths
from warehouse.mto_responses import purge_settled_owner_records as purge_owner_records
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


purge_job, purge_schedule = scheduled_asset_job(
    purge_non_hit_reads, "purge_non_hit_reads_job", "purge_non_hit_reads_schedule", "30 3 * * *",
    "The ALPR retention purge (non-hit reads past the retention window).", "Every day at 03:30 local time.")


@dg.asset(
    key="purge_settled_owner_records",
    group_name=PRIVACY_GROUP,
    deps=[dg.AssetKey("serving_snapshot")],
    kinds={"sql", "python"},
    description="Deletes the MTO owner records (ops database, mto_owner_records) of tickets that the serving "
                "snapshot's marts.fct_ticket_lifecycle shows paid, cancelled or written off, and writes an audit "
                "record (ticket numbers, never owner data) to lake/_audit/mto_owner_purge/. Runs daily "
                "(purge_settled_owner_records_schedule); never part of `civic pipeline run`.",
)
def purge_settled_owner_records(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    result = purge_owner_records(run_id=context.run_id)
    if result["skipped"]:
        context.log.warning(f"owner-record purge skipped: {result['skipped']}")
    return dg.MaterializeResult(metadata={
        "records_purged": result["records_purged"], "records_kept": result["records_kept"],
        "purged_by_status": dg.MetadataValue.json(result["by_status"]), "skipped": str(result["skipped"]),
        "audit_file": str(result["audit_file"]),
    })


owner_purge_job, owner_purge_schedule = scheduled_asset_job(
    purge_settled_owner_records, "purge_settled_owner_records_job", "purge_settled_owner_records_schedule",
    "45 3 * * *", "The MTO owner-data purge (owner records of paid, cancelled and written-off tickets).",
    "Every day at 03:45 local time, after the read purge.")
