"""The Parquet lake: landed rows by event day, quarantine, and one record per batch.

Every file is written under a temporary name and renamed into place, and a batch's
record is written last: a batch without its record did not happen and is redone (its
files have deterministic names, so a redo overwrites rather than duplicates).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from data_contracts.sources import Source

def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's content, read in 1 MiB blocks (a delivered file's identity)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


ARROW_TYPES = {
    "string": pa.string(), "geometry": pa.string(), "int": pa.int64(), "float": pa.float64(),
    "timestamp": pa.timestamp("us", tz="UTC"), "date": pa.date32(), "bool": pa.bool_(),
}
DUCKDB_TYPES = {
    "string": "VARCHAR", "geometry": "VARCHAR", "int": "BIGINT", "float": "DOUBLE",
    "timestamp": "TIMESTAMPTZ", "date": "DATE", "bool": "BOOLEAN",
}
LINEAGE = [
    ("_batch_id", "string"), ("_source_file", "string"), ("_row_number", "int"),
    ("_delivered_on", "date"), ("_landed_at", "timestamp"),
]
GEO_EXTRA = [("_centroid_lat", "float"), ("_centroid_lon", "float")]
QUARANTINE_COLUMNS = [
    ("source", "string"), ("_batch_id", "string"), ("_source_file", "string"), ("_row_number", "int"),
    ("reason", "string"), ("record", "string"), ("_quarantined_at", "timestamp"),
]
BATCH_COLUMNS = [
    ("batch_id", "string"), ("source", "string"), ("source_file", "string"), ("sha256", "string"),
    ("delivered_on", "date"), ("rows_in", "int"), ("landed", "int"), ("quarantined", "int"),
    ("ingested_at", "timestamp"),
]


def landed_columns(src: Source) -> list[tuple[str, str]]:
    cols = [(f.name, f.type) for f in src.fields]
    if src.format == "geojson":
        cols += GEO_EXTRA
    return cols + LINEAGE


def arrow_schema(columns: list[tuple[str, str]]) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[t]) for name, t in columns])


def place_file(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` whole or not at all: into a hidden temporary file beside it
    (the ingestion skips dot files), then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def to_table(df, columns: list[tuple[str, str]]) -> pa.Table:
    schema = arrow_schema(columns)
    arrays = []
    for name, t in columns:
        col = df[name]
        if t == "date":
            col = col.dt.date if hasattr(col, "dt") else col
        arrays.append(pa.array(col, type=schema.field(name).type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)
