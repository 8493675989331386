"""Dagster definitions only: thin wiring around warehouse/, data_contracts/ and dbt_project/."""
