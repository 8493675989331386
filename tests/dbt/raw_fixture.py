"""Empty, typed raw tables for dbt tests and development.

``create_raw_tables(con)`` creates schema ``raw`` with one table per source in
``data_contracts/sources.py`` (the source's own column names and the registry types, as
docs/CONVENTIONS.md lays down), the lineage columns, the GeoJSON centroid columns, and
``raw.quarantine`` / ``raw.ingest_batches``. In production the ingestion creates these
relations (as views over the Parquet lake); here they are plain tables so tests can
insert rows.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from data_contracts.sources import SOURCES  # noqa: E402

DUCKDB_TYPES = {
    "string": "VARCHAR", "geometry": "VARCHAR", "int": "BIGINT", "float": "DOUBLE",
    "timestamp": "TIMESTAMPTZ", "date": "DATE", "bool": "BOOLEAN",
}
LINEAGE = [
    ("_batch_id", "VARCHAR"), ("_source_file", "VARCHAR"), ("_row_number", "BIGINT"),
    ("_delivered_on", "DATE"), ("_landed_at", "TIMESTAMPTZ"),
]
GEO_EXTRA = [("_centroid_lat", "DOUBLE"), ("_centroid_lon", "DOUBLE")]
QUARANTINE = [
    ("source", "VARCHAR"), ("_batch_id", "VARCHAR"), ("_source_file", "VARCHAR"),
    ("_row_number", "BIGINT"), ("reason", "VARCHAR"), ("record", "VARCHAR"),
    ("_quarantined_at", "TIMESTAMPTZ"),
]
INGEST_BATCHES = [
    ("batch_id", "VARCHAR"), ("source", "VARCHAR"), ("source_file", "VARCHAR"), ("sha256", "VARCHAR"),
    ("delivered_on", "DATE"), ("rows_in", "BIGINT"), ("landed", "BIGINT"), ("quarantined", "BIGINT"),
    ("ingested_at", "TIMESTAMPTZ"),
]


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def raw_columns() -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, duckdb type), ...]} for every raw relation dbt reads."""
    tables: dict[str, list[tuple[str, str]]] = {}
    for name, src in SOURCES.items():
        cols = [(f.name, DUCKDB_TYPES[f.type]) for f in src.fields]
        if src.format == "geojson":
            cols += GEO_EXTRA
        tables[name] = cols + LINEAGE
    tables["quarantine"] = list(QUARANTINE)
    tables["ingest_batches"] = list(INGEST_BATCHES)
    return tables


def create_raw_tables(con, replace: bool = False) -> list[str]:
    """Create every ``raw.<table>`` (empty) on a DuckDB connection; return the names."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    made = []
    for table, cols in raw_columns().items():
        ddl = ", ".join(f"{q(c)} {t}" for c, t in cols)
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
        con.execute(f"{verb} raw.{q(table)} ({ddl})")
        made.append(table)
    return made


def insert_rows(con, table: str, rows: list[dict], defaults: dict | None = None) -> None:
    """Insert dict rows into ``raw.<table>``; missing columns are NULL (or ``defaults``)."""
    if not rows:
        return
    cols = [c for c, _ in raw_columns()[table]]
    defaults = defaults or {}
    values = [[{**defaults, **r}.get(c) for c in cols] for r in rows]
    unknown = {k for r in rows for k in r} - set(cols)
    if unknown:
        raise KeyError(f"raw.{table} has no column(s) {sorted(unknown)}")
    placeholders = ", ".join("?" for _ in cols)
    con.executemany(f"INSERT INTO raw.{q(table)} ({', '.join(q(c) for c in cols)}) VALUES ({placeholders})", values)


if __name__ == "__main__":  # python tests/dbt/raw_fixture.py PATH  -> empty raw tables in PATH
    import duckdb

    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/dbtdev/civic.duckdb"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(path) as c:
        print(create_raw_tables(c))


def fetch(path: Path, sql: str) -> list[dict]:
    """Rows of a query on a built warehouse file (read-only, local time), as dicts."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'America/Toronto'")
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


def build_golden_warehouse(work: Path, fill, run_dbt, *dbt_args: str) -> Path:
    """A warehouse with the raw tables, filled by ``fill(con)``, then ``dbt <dbt_args>``."""
    import duckdb

    wh = work / "civic.duckdb"
    with duckdb.connect(str(wh)) as con:
        create_raw_tables(con)
        fill(con)
    run_dbt(wh, work, *dbt_args)
    return wh
