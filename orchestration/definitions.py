"""The Dagster code location: every asset, check, sensor and resource of the platform."""

import dagster as dg

from orchestration.ingestion import ingestion_assets, landing_file_sensor
from orchestration.ops_export import ops_export_job, ops_export_schedule, ops_review_export
from orchestration.privacy import (owner_purge_job, owner_purge_schedule, purge_job, purge_non_hit_reads,
                                   purge_schedule, purge_settled_owner_records)
from orchestration.reports import (council_report_monthly, council_report_monthly_job,
                                   council_report_monthly_schedule, council_report_quarterly,
                                   council_report_quarterly_job, council_report_quarterly_schedule)
from orchestration.routing import route_plans_job, route_plans_next_day, route_plans_schedule
from orchestration.transform import civic_dbt_models, dbt_resource, serving_snapshot

all_assets = [*ingestion_assets, civic_dbt_models, serving_snapshot, purge_non_hit_reads,
              purge_settled_owner_records, ops_review_export, route_plans_next_day, council_report_monthly,
              council_report_quarterly]

defs = dg.Definitions(
    assets=all_assets,
    jobs=[purge_job, owner_purge_job, ops_export_job, route_plans_job, council_report_monthly_job,
          council_report_quarterly_job],
    schedules=[purge_schedule, owner_purge_schedule, ops_export_schedule, route_plans_schedule,
               council_report_monthly_schedule, council_report_quarterly_schedule],
    sensors=[landing_file_sensor],
    resources={"dbt": dbt_resource},
    # One writer for the warehouse file: steps of a run execute one at a time.
    executor=dg.in_process_executor,
)
