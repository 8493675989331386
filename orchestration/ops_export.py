"""The ops database as a source: export new review decisions and tickets, and new or changed
bylaw cases, inspections, notices and remediation works, to landing files (thin wiring
around warehouse/ops.py and bylaw/export.py). `civic pipeline run` runs it first; under
`civic serve` its schedule runs it and the landing sensor ingests what it wrote."""

import dagster as dg

from bylaw.export import export_cases_to_landing
from orchestration.scheduling import scheduled_asset_job
from warehouse.ops import export_to_landing

OPS_GROUP = "ops"


@dg.asset(
    key="ops_review_export",
    group_name=OPS_GROUP,
    kinds={"sql", "python"},
    description="Writes review decisions and review tickets not exported yet from the ops database "
                "(CIVIC_OPS_DB_URL, default SQLite at ops/ops.sqlite) to landing/review_decisions/ and "
                "landing/handheld_tickets/review_tickets_*.csv, and bylaw cases, inspections, notices and "
                "remediation works new or changed since their last export to landing/<source>/ops_<source>_*.csv "
                "(never the complainant's identity); each version of a row is exported once.",
)
def ops_review_export(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    result = export_to_landing()
    bylaw = export_cases_to_landing()
    for name, r in {**result, **bylaw}.items():
        context.log.info(f"{name}: {r['rows']} row(s) -> {r['file'] or 'nothing new'}")
    return dg.MaterializeResult(metadata={
        "review_decisions": result["review_decisions"]["rows"],
        "review_tickets": result["handheld_tickets"]["rows"],
        **{f"ops_{name}": r["rows"] for name, r in bylaw.items()},
        "files": dg.MetadataValue.json([r["file"] for r in (*result.values(), *bylaw.values()) if r["file"]]),
    })


ops_export_job, ops_export_schedule = scheduled_asset_job(
    ops_review_export, "ops_review_export_job", "ops_review_export_schedule", "*/15 * * * *",
    "Export officer review decisions and tickets, and bylaw cases, to landing.",
    "Every 15 minutes; the landing sensor ingests the files it writes.")
