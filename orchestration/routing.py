"""Next-day route plans (thin wiring around routing/nightly.py), rebuilt nightly from fresh data."""

import dagster as dg

from orchestration.scheduling import scheduled_asset_job
from warehouse.config import paths


@dg.asset(
    key="route_plans_next_day",
    group_name="routing",
    deps=[dg.AssetKey("serving_snapshot")],
    kinds={"python", "parquet"},
    description="Route plans for every patrol shift of the day after the snapshot's data: expected yield learned "
                "from the marts, one prize-collecting routing problem per zone, mode and start (PyVRP), officers "
                "of a zone without overlap. Written to $CIVIC_DATA_DIR/routing/plans/day=YYYY-MM-DD/. "
                "Runs nightly (route_plans_schedule); not part of `civic pipeline run`.",
)
def route_plans_next_day(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from routing.nightly import plan_day  # the solver and SciPy load only when plans are made

    p = paths()
    summary = plan_day(p.data_dir, p.serving_db, progress=context.log.info)
    plans = summary["plans"]
    return dg.MaterializeResult(metadata={
        "day": summary["day"], "roster": summary["roster"], "plans": len(plans),
        "officers": sum(len(x["officer_ids"]) for x in plans),
        "expected_violations": round(sum(x["expected_violations"] for x in plans), 1),
        "solve_seconds": round(sum(x["solve_seconds"] for x in plans), 1),
        "data_as_of": summary.get("data_as_of", ""),
    })


route_plans_job, route_plans_schedule = scheduled_asset_job(
    route_plans_next_day, "route_plans_job", "route_plans_schedule", "0 4 * * *",
    "Tomorrow's route plans from the latest serving snapshot.",
    "Every day at 04:00 local time, after the night's pipeline run and purge.")
