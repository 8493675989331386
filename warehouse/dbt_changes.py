"""Which dbt nodes a build can leave alone: those whose inputs did not change since the last
successful build.

Every model is a pure function of its raw sources, seeds, the project's code and the
variables it renders (no model reads the wall clock). So a model, seed or test whose
upstream raw relations all read the same files as at the last successful build, in a
project whose code, variables and dbt/DuckDB versions are the same, would come out the
same: rebuilding it (and re-running its tests) only costs time. On an incremental day about
a fifth of the project hangs only off reference data (blockfaces, zones, wards, officers,
meters, exemptions, the assessment roll, the legacy tickets) and is left alone.

The state of the last successful build is a small JSON file beside the warehouse
(``build_state.json``): the project's fingerprint and one fingerprint per raw relation (its
files' relative paths, sizes and modification times), taken before that build read them.
No state, another project fingerprint, or CIVIC_DBT_FULL_BUILD=1: everything is built.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from warehouse.config import Paths
from warehouse.duck import raw_relation_specs

# What the project's models render from: its code, seeds and dbt_project.yml (vars). Not
# profiles.yml: threads, memory and the warehouse path do not change what a model holds.
PROJECT_DIRS = ("models", "macros", "tests", "seeds", "snapshots", "analyses")
_ENV_VAR = re.compile(r"env_var\(\s*['\"]([A-Za-z_][A-Za-z0-9_]*)['\"]")
NODE_TYPES = ("model", "seed", "test", "snapshot")
TABLE_TYPES = ("model", "seed", "snapshot")  # the nodes that leave a relation (and a Dagster asset)


def build_state_path(paths: Paths) -> Path:
    return paths.warehouse_db.parent / "build_state.json"


def project_files(project_dir: Path) -> list[Path]:
    files = [p for d in PROJECT_DIRS for p in (project_dir / d).rglob("*") if p.is_file()]
    return sorted(files + [project_dir / "dbt_project.yml"])


def project_fingerprint(project_dir: Path) -> str:
    """The project's files, the values of the environment variables they read, and the
    versions of dbt and DuckDB."""
    h = hashlib.sha256()
    names: set[str] = set()
    for f in project_files(project_dir):
        data = f.read_bytes()
        h.update(f.relative_to(project_dir).as_posix().encode() + b"\0" + hashlib.sha256(data).digest())
        names.update(_ENV_VAR.findall(data.decode("utf-8", errors="replace")))
    for name in sorted(names):
        h.update(f"{name}={os.environ.get(name)!r}\0".encode())
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        try:
            h.update(f"{package}=={version(package)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{package} missing\0".encode())
    return h.hexdigest()


def source_fingerprints(paths: Paths) -> dict[str, str]:
    """One fingerprint per raw relation: the files its view reads (relative path, size,
    modification time). A landed batch, a purge or a compaction changes it; a data
    directory copied with its times kept does not."""
    out = {}
    for name, folder, pattern, _ in raw_relation_specs(paths):
        h = hashlib.sha256()
        if folder.is_dir():
            for f in sorted(folder.glob(pattern)):
                st = f.stat()
                h.update(f"{f.relative_to(folder).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        out[name] = h.hexdigest()
    return out


def read_build_state(paths: Paths) -> dict | None:
    try:
        return json.loads(build_state_path(paths).read_text())
    except (FileNotFoundError, ValueError):
        return None


def write_build_state(paths: Paths, state: dict) -> None:
    """Written only after a build succeeded, with the fingerprints taken before it."""
    target = build_state_path(paths)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    os.replace(tmp, target)


def current_state(paths: Paths, project_dir: Path) -> dict:
    return {"project": project_fingerprint(project_dir), "sources": source_fingerprints(paths)}


def changed_sources(before: dict | None, now: dict) -> set[str] | None:
    """Raw relations whose files changed since ``before``; None: build everything (no earlier
    successful build, or the project changed, or a full build was asked for)."""
    if before is None or before.get("project") != now["project"] or os.environ.get("CIVIC_DBT_FULL_BUILD") == "1":
        return None
    old = before.get("sources", {})
    return {name for name, fp in now["sources"].items() if old.get(name) != fp}


def upstream_sources(manifest: dict) -> dict[str, set[str]]:
    """For each model, seed, test and snapshot: the raw relations it reads, directly or through
    other nodes (source names as in models/staging/_sources.yml)."""
    nodes = manifest["nodes"]
    sources = manifest["sources"]
    memo: dict[str, set[str]] = {}

    def walk(uid: str) -> set[str]:
        if uid in memo:
            return memo[uid]
        if uid in sources:
            found = {sources[uid]["name"]}
        elif uid in nodes:
            memo[uid] = set()  # a cycle cannot happen in dbt; this only guards the recursion
            found = set()
            for dep in nodes[uid].get("depends_on", {}).get("nodes", []):
                found |= walk(dep)
        else:
            found = set()
        memo[uid] = found
        return found

    return {uid: walk(uid) for uid, n in nodes.items() if n["resource_type"] in NODE_TYPES}


def unaffected_nodes(manifest: dict, changed: set[str], existing_relations: set[tuple[str, str]]) -> list[str]:
    """The nodes no changed raw relation feeds (unique ids), when every table among them is
    there to keep. A node downstream of an affected one is affected too:
    its upstream sources include the changed ones."""
    ups = upstream_sources(manifest)
    nodes = manifest["nodes"]
    keep = [uid for uid, srcs in ups.items() if not (srcs & changed)]
    for uid in keep:
        n = nodes[uid]
        if n["resource_type"] in TABLE_TYPES and n["config"].get("materialized") != "ephemeral":
            if (n["schema"], n.get("alias") or n["name"]) not in existing_relations:
                return []  # a table is missing (a warehouse rebuilt from the lake?): build everything
    return _in_dependency_order(nodes, keep)


def _in_dependency_order(nodes: dict, uids: list[str]) -> list[str]:
    """``uids`` with every node after the nodes it depends on (Dagster wants outputs so)."""
    done: dict[str, None] = {}

    def visit(uid: str) -> None:
        if uid in done or uid not in nodes:
            return
        for dep in nodes[uid].get("depends_on", {}).get("nodes", []):
            visit(dep)
        done[uid] = None

    for uid in sorted(uids):
        visit(uid)
    wanted = set(uids)
    return [uid for uid in done if uid in wanted]
