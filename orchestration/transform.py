"""dbt models as Dagster assets (dbt tests become asset checks) and the serving snapshot."""


import json
import os
import sys
import time
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from warehouse.config import paths
from warehouse.dbt_changes import (NODE_TYPES, TABLE_TYPES, build_state_path, changed_sources, current_state, project_files,
                                   read_build_state, unaffected_nodes, write_build_state)
from warehouse.duck import PUBLISHED_SCHEMAS, connect_warehouse, publish_snapshot, refresh_raw_relations

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
os.environ.setdefault("DO_NOT_TRACK", "1")
# Use the dbt installed beside this Python even when its virtualenv is not on PATH.
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")


def dbt_env() -> None:
    """dbt reads the warehouse path from the environment, as the pipeline resolved it."""
    os.environ["CIVIC_WAREHOUSE_PATH"] = str(paths().warehouse_db)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # dbt's own debug log file (every query, connection and event of 359 nodes, ~18 MB a
    # build) costs about 8 s of an incremental day's build; Dagster keeps dbt's structured
    # output of every run. DBT_LOG_LEVEL_FILE=debug brings the file back (warehouse/dbt_target/dbt.log).
    os.environ.setdefault("DBT_LOG_LEVEL_FILE", "none")


dbt_env()
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _manifest_is_stale() -> bool:
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    sources = project_files(DBT_PROJECT_DIR) + [DBT_PROJECT_DIR / "profiles.yml"]
    return max(p.stat().st_mtime for p in sources if p.exists()) > manifest.stat().st_mtime


# The asset graph is read from dbt's manifest: parse again whenever the project changed.
if _manifest_is_stale():
    dbt_project.preparer.prepare(dbt_project)
else:
    dbt_project.prepare_if_dev()


class CivicDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]):
        # Rebuild when newly landed data arrives (the sensor lands it).
        return dg.AutomationCondition.eager()


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=CivicDbtTranslator())
def civic_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build`: staging, intermediate and marts, with every dbt test as an asset check."""
    dbt_env()
    p = paths()
    # What changed since the last successful build (warehouse/dbt_changes.py); a run of a
    # chosen subset of the assets builds what was chosen.
    state = current_state(p, DBT_PROJECT_DIR)
    changed = None if context.is_subset else changed_sources(read_build_state(p), state)
    con = connect_warehouse(p)
    try:
        refresh_raw_relations(con, p, only=changed)  # raw.<source> views over the lake, before dbt reads them
        existing = set(con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                                   "WHERE table_catalog = current_database()").fetchall())
    finally:
        con.close()
    # Unit tests check the models' logic on fixed inputs, not today's data: `make test` runs
    # them (tests/dbt); a production build runs the data tests only.
    args = ["build", "--exclude-resource-type", "unit_test"]
    if changed is not None:
        manifest = json.loads(dbt_project.manifest_path.read_text())
        unaffected = unaffected_nodes(manifest, changed, existing)
        context.log.info(f"raw relations changed since the last build: {', '.join(sorted(changed)) or 'none'}; "
                         f"{len(unaffected)} dbt nodes fed by none of them are left as built")
        nothing_affected = len(unaffected) == sum(n["resource_type"] in NODE_TYPES for n in manifest["nodes"].values())
        if nothing_affected and _published_since_last_build(p):
            return  # nothing to build, and the serving snapshot already holds the last build
        if unaffected:
            # As dagster-dbt reports a node dbt reused: an output with its status, so the
            # steps after this one (the serving snapshot) run.
            translator = CivicDbtTranslator()
            for uid in unaffected:
                if manifest["nodes"][uid]["resource_type"] in TABLE_TYPES:
                    key = translator.get_asset_spec(manifest, uid, dbt_project).key
                    yield dg.Output(None, output_name=key.to_python_identifier(),
                                    metadata={"status": "reused", "reused_because": "no raw relation it reads changed "
                                              "since the last successful build"})
        if nothing_affected:
            return  # only the snapshot to publish again (the last one failed, or was never made)
        if unaffected:
            # exactly these names: a test between an affected and an unaffected model still runs
            names = " ".join(sorted(manifest["nodes"][uid]["name"] for uid in unaffected))
            args += ["--exclude", names, "--indirect-selection", "empty"]
    yield from dbt.cli(args, context=context, target_path=p.dbt_target).stream()
    if not context.is_subset:
        write_build_state(p, state)


def _published_since_last_build(p) -> bool:
    built = build_state_path(p)
    return built.exists() and p.serving_db.exists() and p.serving_db.stat().st_mtime >= built.stat().st_mtime


def _mart_keys() -> list[dg.AssetKey]:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    translator = CivicDbtTranslator()
    # the published schemas, and the batch records the snapshot's source freshness reads
    return [translator.get_asset_key(node) for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and (node.get("config", {}).get("schema") in PUBLISHED_SCHEMAS
                                                     or node["name"] == "stg_ingest__batches")]


@dg.asset(key="serving_snapshot", deps=_mart_keys(), group_name="serving", kinds={"duckdb"},
          automation_condition=dg.AutomationCondition.eager(),
          description="Publishes the marts (and the enforcement extracts) as a read-only DuckDB snapshot, swapped in atomically.")
def serving_snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    start_time = context.instance.get_run_stats(context.run_id).start_time
    started = datetime.fromtimestamp(start_time, tz=timezone.utc) if start_time else None
    t0 = time.perf_counter()
    info = publish_snapshot(paths(), run_id=context.run_id, started_at=started)
    return dg.MaterializeResult(metadata={"path": info["serving_db"], "tables": len(info["tables"]),
                                          "seconds": round(time.perf_counter() - t0, 2),
                                          "data_as_of": str(info["data_as_of"]), "published_at": info["published_at"]})


class CivicDbtCliResource(DbtCliResource):
    """dagster-dbt asks `dbt --version` in a subprocess on every run (seconds) to learn which
    dbt it drives; the dbt it drives is the dbt-core installed beside this Python."""

    @cached_property
    def _cli_version(self):
        from importlib.metadata import version as installed_version

        from packaging import version
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        """dagster-dbt loads dbt's profile, project and every macro in this process (~3 s a run)
        to hand an adapter to `fetch_row_counts`/`fetch_column_metadata`, which these assets do
        not call; without one it skips exactly those (dagster_dbt/core/dbt_event_iterator.py)."""
        return None


dbt_resource = CivicDbtCliResource(project_dir=dbt_project)
