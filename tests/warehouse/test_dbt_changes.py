"""Which dbt nodes a build leaves alone (warehouse/dbt_changes.py): the rules on small
manifests, the fingerprints on real lake folders and on the real project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from warehouse.config import Paths
from warehouse.dbt_changes import (changed_sources, current_state, project_fingerprint, source_fingerprints,
                                   unaffected_nodes, upstream_sources)

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def _node(uid: str, deps: list[str], schema: str = "staging", kind: str | None = None) -> tuple[str, dict]:
    kind = kind or uid.split(".")[0]
    return uid, {"resource_type": kind, "name": uid.split(".")[2], "schema": schema, "alias": uid.split(".")[2],
                 "config": {"materialized": "table"}, "depends_on": {"nodes": deps}}


def _manifest() -> dict:
    sources = {f"source.civic.raw.{n}": {"name": n} for n in ("alpr_reads", "blockfaces", "zones")}
    nodes = dict([
        _node("model.civic.stg_reads", ["source.civic.raw.alpr_reads"]),
        _node("model.civic.stg_blockfaces", ["source.civic.raw.blockfaces"]),
        _node("model.civic.stg_zones", ["source.civic.raw.zones"]),
        _node("model.civic.dim_blockfaces", ["model.civic.stg_blockfaces", "model.civic.stg_zones"], "marts"),
        _node("model.civic.fct_reads", ["model.civic.stg_reads", "model.civic.dim_blockfaces"], "marts"),
        _node("seed.civic.fines", [], "main"),
        _node("test.civic.unique_dim_blockfaces_id", ["model.civic.dim_blockfaces"]),
        _node("test.civic.relationships_fct_reads_blockface", ["model.civic.fct_reads", "model.civic.dim_blockfaces"]),
    ])
    return {"nodes": nodes, "sources": sources}


def _tables(manifest: dict) -> set[tuple[str, str]]:
    return {(n["schema"], n["name"]) for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")}


def test_nodes_fed_only_by_unchanged_sources_are_left_in_dependency_order():
    m = _manifest()
    assert upstream_sources(m)["model.civic.fct_reads"] == {"alpr_reads", "blockfaces", "zones"}
    assert upstream_sources(m)["seed.civic.fines"] == set()
    left = unaffected_nodes(m, {"alpr_reads"}, _tables(m))
    # the reads and everything on them rebuild, the test between a read mart and the
    # unchanged dimension included; the dimension, its own test and the seed stay
    assert set(left) == {"model.civic.stg_blockfaces", "model.civic.stg_zones", "model.civic.dim_blockfaces",
                         "seed.civic.fines", "test.civic.unique_dim_blockfaces_id"}
    assert left.index("model.civic.dim_blockfaces") > left.index("model.civic.stg_blockfaces")
    assert left.index("model.civic.dim_blockfaces") > left.index("model.civic.stg_zones")
    # a change to one reference source brings back everything downstream of it
    assert set(unaffected_nodes(m, {"zones"}, _tables(m))) == {"model.civic.stg_reads", "model.civic.stg_blockfaces",
                                                               "seed.civic.fines"}


def test_a_missing_table_among_the_nodes_to_leave_means_build_everything():
    m = _manifest()
    tables = _tables(m) - {("marts", "dim_blockfaces")}
    assert unaffected_nodes(m, {"alpr_reads"}, tables) == []


def test_no_state_another_project_or_a_full_build_asked_for_means_build_everything(monkeypatch):
    now = {"project": "p1", "sources": {"alpr_reads": "a2", "zones": "z1"}}
    assert changed_sources(None, now) is None
    assert changed_sources({"project": "p0", "sources": now["sources"]}, now) is None
    before = {"project": "p1", "sources": {"alpr_reads": "a1", "zones": "z1"}}
    assert changed_sources(before, now) == {"alpr_reads"}
    # a source the last build did not know counts as changed
    assert changed_sources({"project": "p1", "sources": {"zones": "z1"}}, now) == {"alpr_reads"}
    monkeypatch.setenv("CIVIC_DBT_FULL_BUILD", "1")
    assert changed_sources(before, now) is None


def test_the_project_fingerprint_follows_the_variables_the_models_read(monkeypatch):
    monkeypatch.delenv("CIVIC_GRACE_MINUTES", raising=False)
    base = project_fingerprint(PROJECT)
    assert project_fingerprint(PROJECT) == base
    monkeypatch.setenv("CIVIC_GRACE_MINUTES", "10")  # read by dbt_project.yml's vars
    assert project_fingerprint(PROJECT) != base
    monkeypatch.delenv("CIVIC_GRACE_MINUTES")
    # what only changes where the warehouse lives or how fast dbt runs is not part of it
    monkeypatch.setenv("CIVIC_DBT_THREADS", "4")
    monkeypatch.setenv("CIVIC_WAREHOUSE_PATH", "/elsewhere/civic.duckdb")
    assert project_fingerprint(PROJECT) == base


def test_source_fingerprints_change_with_a_landed_file_not_with_a_copied_data_directory(tmp_path):
    data = tmp_path / "data"
    day = data / "lake" / "alpr_reads" / "day=2026-10-01"
    day.mkdir(parents=True)
    (day / "b1.parquet").write_bytes(b"one")
    (data / "lake" / "_batches" / "alpr_reads").mkdir(parents=True)
    (data / "lake" / "_batches" / "alpr_reads" / "_compacted.parquet").write_bytes(b"records")
    before = source_fingerprints(Paths(data))
    assert set(before) >= {"alpr_reads", "zones", "quarantine", "ingest_batches"}
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)  # copy2 keeps modification times
    assert source_fingerprints(Paths(copy)) == before
    (day.parent / "day=2026-10-02").mkdir()
    (day.parent / "day=2026-10-02" / "b2.parquet").write_bytes(b"two")
    after = source_fingerprints(Paths(data))
    assert {n for n in before if before[n] != after[n]} == {"alpr_reads"}


@pytest.mark.parametrize("name", ["alpr_reads", "ingest_batches"])
def test_current_state_covers_every_raw_relation(tmp_path, name):
    state = current_state(Paths(tmp_path), PROJECT)
    assert name in state["sources"] and len(state["project"]) == 64
