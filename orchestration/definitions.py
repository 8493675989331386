"""The Dagster code location: every asset, check, sensor and resource of the platform."""

import dagster as dg

from orchestration.ingestion import ingestion_assets, landing_file_sensor
from orchestration.transform import civic_dbt_models, dbt_resource, serving_snapshot

all_assets = [*ingestion_assets, civic_dbt_models, serving_snapshot]

defs = dg.Definitions(
    assets=all_assets,
    sensors=[landing_file_sensor],
    resources={"dbt": dbt_resource},
    # One writer for the warehouse file: steps of a run execute one at a time.
    executor=dg.in_process_executor,
)
