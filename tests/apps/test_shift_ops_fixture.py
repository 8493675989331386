"""The shift/operations snapshot fixture has exactly the published marts' columns and
types (their dbt contracts), so the page tests read what the pipeline publishes."""

from __future__ import annotations

from pathlib import Path

import yaml
from shift_ops_snapshot_fixture import SCHEMA

MARTS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"
CONTRACT_FILES = ["_shift_analytics.yml", "_operations.yml", "_marts.yml"]
TYPES = {"timestamp with time zone": "TIMESTAMPTZ"}


def contracts() -> dict[str, list[tuple[str, str]]]:
    out = {}
    for name in CONTRACT_FILES:
        for model in yaml.safe_load((MARTS / name).read_text())["models"]:
            out[f"marts.{model['name']}"] = [
                (c["name"], TYPES.get(c["data_type"], c["data_type"].upper())) for c in model["columns"]]
    return out


def test_fixture_tables_match_the_dbt_contracts():
    published = contracts()
    for table, columns in SCHEMA.items():
        assert table in published, table
        assert columns == published[table], table
