"""DuckDB: the pipeline's warehouse file, its raw relations over the lake, and the
read-only serving snapshot the apps use.

Only the pipeline opens the warehouse file. Raw tables are views over the lake's Parquet
(the lake is the system of record), so ingestion never needs the DuckDB lock and a
warehouse file can always be rebuilt from the lake.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from data_contracts.sources import CITY_TZ, SOURCES
from warehouse.config import Paths
from warehouse.lake import BATCH_COLUMNS, DUCKDB_TYPES, QUARANTINE_COLUMNS, landed_columns


def connect_warehouse(paths: Paths, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    paths.warehouse_db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(paths.warehouse_db), read_only=read_only)
    con.execute(f"SET TimeZone = '{CITY_TZ}'")
    return con


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _relation_sql(glob: str, columns: list[tuple[str, str]], has_files: bool, present: set[str] | None = None) -> str:
    """``present``: the columns the landed files have. A column the contract gained after
    files were landed reads as NULL from them (union_by_name does that when some file has
    it; this covers the case where none has it yet)."""
    cols = ", ".join(f"CAST({_q(n) if present is None or n in present else 'NULL'} AS {DUCKDB_TYPES[t]}) AS {_q(n)}"
                     for n, t in columns)
    if has_files:
        return f"SELECT {cols} FROM read_parquet('{glob}', union_by_name = true, hive_partitioning = false)"
    # Nothing landed yet: an empty relation with the same columns, so dbt builds anyway.
    nulls = ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[t]}) AS {_q(n)}" for n, t in columns)
    return f"SELECT {nulls} WHERE false"


def raw_relation_specs(paths: Paths) -> list[tuple[str, Path, str, list[tuple[str, str]]]]:
    """(relation name, lake folder, file pattern, columns) of every ``raw.<name>`` view."""
    specs = [(name, paths.lake / name, "day=*/*.parquet", landed_columns(src)) for name, src in SOURCES.items()]
    specs.append(("quarantine", paths.quarantine, "*/*.parquet", QUARANTINE_COLUMNS))
    specs.append(("ingest_batches", paths.batches, "*/*.parquet", BATCH_COLUMNS))
    return specs


def refresh_raw_relations(con: duckdb.DuckDBPyConnection, paths: Paths, only: set[str] | None = None) -> list[str]:
    """(Re)create ``raw.<source>``, ``raw.quarantine`` and ``raw.ingest_batches`` as views over the lake
    (with ``only``: the views of these names, and any other not there yet or made for another lake)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    existing = dict(con.execute(
        "SELECT view_name, sql FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'raw'").fetchall())
    made = []
    for name, folder, pattern, columns in raw_relation_specs(paths):
        glob = (folder / pattern).as_posix()
        # a view made for this lake (not for the folder a copied warehouse came from) stays
        if only is not None and name not in only and f"'{glob}'" in existing.get(name, ""):
            continue
        has_files = folder.is_dir() and any(folder.glob(pattern))
        present = None
        if has_files:
            present = {r[0] for r in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{glob}', union_by_name = true, hive_partitioning = false)").fetchall()}
        con.execute(f"CREATE OR REPLACE VIEW raw.{_q(name)} AS {_relation_sql(glob, columns, has_files, present)}")
        made.append(name)
    return made


# Schemas copied into the serving snapshot: `marts` (analytics) and `enforcement`
# (operational extracts for the `civic` commands: MTO look-ups, the live check; the
# analytics apps never read it). Both carry plate pseudonyms only, never plates in clear,
# except enforcement.enf_review_queue: recent undecided detections for the officers' review
# queue page, which must show the plate (dbt_project/models/enforcement/_review_queue.yml).
PUBLISHED_SCHEMAS: tuple[str, ...] = ("marts", "enforcement")


def publish_snapshot(paths: Paths, run_id: str | None = None, started_at: datetime | None = None,
                     schemas: tuple[str, ...] = PUBLISHED_SCHEMAS) -> dict:
    """Copy the published schemas into a new DuckDB file and swap it in atomically.

    Apps keep reading the previous snapshot until the rename; a failed run never
    reaches this point, so the last good snapshot stays in place.
    """
    target = paths.serving_db
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    published_at = datetime.now(timezone.utc)
    con = duckdb.connect(str(tmp))
    try:
        con.execute(f"SET TimeZone = '{CITY_TZ}'")
        con.execute(f"ATTACH '{paths.warehouse_db.as_posix()}' AS wh (READ_ONLY)")
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = 'wh' AND table_schema IN (SELECT unnest(?)) AND table_type = 'BASE TABLE' "
            "ORDER BY 1, 2", [list(schemas)]).fetchall()
        for schema, table in tables:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(schema)}")
            con.execute(f"CREATE TABLE {_q(schema)}.{_q(table)} AS SELECT * FROM wh.{_q(schema)}.{_q(table)}")
        con.execute("CREATE SCHEMA meta")
        data_as_of = None
        if ("marts", "fct_recent_activity") in tables:
            data_as_of = con.execute("SELECT max(activity_at) FROM marts.fct_recent_activity").fetchone()[0]
        con.execute(
            "CREATE TABLE meta.snapshot_info AS SELECT ?::TIMESTAMPTZ AS published_at, ?::VARCHAR AS run_id, "
            "?::TIMESTAMPTZ AS data_as_of, ?::TIMESTAMPTZ AS pipeline_started_at",
            [published_at, run_id, data_as_of, started_at])
        # The batch records as dbt staged them in this run (one table); the raw view reads
        # one small file per delivered file (thousands a year: seconds).
        staged = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'wh' "
                             "AND table_schema = 'staging' AND table_name = 'stg_ingest__batches'").fetchone()[0]
        batches = "wh.staging.stg_ingest__batches" if staged else "wh.raw.ingest_batches"
        con.execute(f"""
            CREATE TABLE meta.source_freshness AS
            SELECT source, max(delivered_on) AS latest_delivery, sum(landed)::BIGINT AS rows_landed,
                   sum(quarantined)::BIGINT AS rows_quarantined, count(*)::BIGINT AS batches
            FROM {batches} GROUP BY source ORDER BY source""")
        con.execute("DETACH wh")
    finally:
        con.close()
    os.replace(tmp, target)
    return {"serving_db": str(target), "tables": [f"{s}.{t}" for s, t in tables],
            "published_at": published_at.isoformat(), "data_as_of": data_as_of.isoformat() if data_as_of else None}
