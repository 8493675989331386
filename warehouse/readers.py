"""Read a delivered file into text records, one per source record, without losing any.

Every reader returns a DataFrame of strings (None for absent values) with the source's
field names plus ``_row_number``, and a list of records it could not even split into
fields (a malformed JSON line, a CSV row with the wrong number of cells, a file that is
not JSON at all). Those go to quarantine with the reason; nothing is dropped.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import orjson
import pandas as pd
import shapely
from shapely.geometry import shape

from data_contracts.sources import Source


@dataclass
class Unreadable:
    row_number: int
    reason: str
    record: str  # the raw text, kept verbatim (truncated only if huge)


@dataclass
class ReadResult:
    records: pd.DataFrame
    unreadable: list[Unreadable]

    @property
    def rows_in(self) -> int:
        return len(self.records) + len(self.unreadable)


_MAX_RAW = 20_000


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    s = str(value)
    return s if s.strip() != "" else None


def _frame(rows: list[list[str | None]], columns: list[str], numbers: list[int]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns, dtype=object)
    df.insert(0, "_row_number", pd.Series(numbers, dtype="int64"))
    return df


def _texts(values: list) -> list[str | None]:
    """One field's delivered values as text, a column at a time (the same rule as ``_text``;
    strings and numbers, nearly every value, take the fast path)."""
    return [v if (c := v.__class__) is str and v.strip() else (str(v) if c is float or c is int else _text(v))
            for v in values]


def _columns_frame(columns: dict[str, list], numbers: list[int]) -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in columns.items()})
    df.insert(0, "_row_number", pd.Series(numbers, dtype="int64"))
    return df


def read_csv(path: Path, src: Source) -> ReadResult:
    wanted = [f.name for f in src.fields]
    rows, numbers, bad = [], [], []
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return ReadResult(_frame([], wanted, []), [])
        header = [h.strip() for h in header]
        missing = [w for w in wanted if w not in header and not _optional(src, w)]
        if missing:
            # A file without the columns the contract needs cannot land any row: keep every
            # row in quarantine with that reason rather than guess.
            for n, row in enumerate(reader, start=1):
                bad.append(Unreadable(n, f"file lacks required column(s): {', '.join(missing)}", ",".join(row)[:_MAX_RAW]))
            return ReadResult(_frame([], wanted, []), bad)
        width = len(header)
        for n, row in enumerate(reader, start=1):
            if not row:
                continue
            if len(row) != width:
                bad.append(Unreadable(n, f"malformed CSV row: {len(row)} cells, header has {width}", ",".join(row)[:_MAX_RAW]))
                continue
            rows.append(row)
            numbers.append(n)
    columns = {}
    for w in wanted:
        i = header.index(w) if w in header else None
        columns[w] = _texts([r[i] for r in rows]) if i is not None else [None] * len(rows)
    return ReadResult(_columns_frame(columns, numbers), bad)


def _optional(src: Source, name: str) -> bool:
    return any(f.name == name and not f.required for f in src.fields)


def _objects(items, wanted, bad):
    rows, numbers = [], []
    for n, item in items:
        if not isinstance(item, dict):
            bad.append(Unreadable(n, "record is not a JSON object", (_text(item) or "")[:_MAX_RAW]))
            continue
        rows.append([_text(item.get(w)) for w in wanted])
        numbers.append(n)
    return rows, numbers


def read_jsonl(path: Path, src: Source) -> ReadResult:
    wanted = [f.name for f in src.fields]
    bad: list[Unreadable] = []
    objects, numbers = [], []
    n = 0
    for line in path.read_bytes().split(b"\n"):
        if not line.strip():
            continue
        n += 1
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            bad.append(Unreadable(n, f"malformed JSON line: {exc.args[0] if exc.args else exc}", line.decode("utf-8", "replace")[:_MAX_RAW].rstrip("\r")))
            continue
        if not isinstance(item, dict):
            bad.append(Unreadable(n, "record is not a JSON object", (_text(item) or "")[:_MAX_RAW]))
            continue
        objects.append(item)
        numbers.append(n)
    return ReadResult(_columns_frame({w: _texts([o.get(w) for o in objects]) for w in wanted}, numbers), bad)


def read_json_array(path: Path, src: Source) -> ReadResult:
    """A JSON array of objects (Open311 GeoReport v2 service requests)."""
    wanted = [f.name for f in src.fields]
    raw = path.read_bytes()
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return ReadResult(_frame([], wanted, []), [Unreadable(0, f"file is not valid JSON: {exc}", raw[:_MAX_RAW].decode("utf-8", "replace"))])
    if isinstance(doc, dict) and "service_requests" in doc:
        doc = doc["service_requests"]
    if not isinstance(doc, list):
        return ReadResult(_frame([], wanted, []), [Unreadable(0, "expected a JSON array of records", raw[:_MAX_RAW].decode("utf-8", "replace"))])
    bad: list[Unreadable] = []
    rows, numbers = _objects(enumerate(doc, start=1), wanted, bad)
    return ReadResult(_frame(rows, wanted, numbers), bad)


def read_geojson(path: Path, src: Source) -> ReadResult:
    """A FeatureCollection: properties become fields, geometry becomes WKT plus a centroid."""
    wanted = [f.name for f in src.fields if f.type != "geometry"]
    raw = path.read_bytes()
    try:
        doc = orjson.loads(raw)
        features = doc["features"]
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        empty = _frame([], wanted + ["geometry", "_centroid_lat", "_centroid_lon"], [])
        return ReadResult(empty, [Unreadable(0, f"not a GeoJSON FeatureCollection: {exc}", raw[:_MAX_RAW].decode("utf-8", "replace"))])
    rows, numbers, bad = [], [], []
    types = src.extra.get("geometry_types")
    for n, feat in enumerate(features, start=1):
        try:
            geom = shape(feat["geometry"])
            if geom.is_empty or not geom.is_valid:
                raise ValueError(shapely.is_valid_reason(geom))
            if types and geom.geom_type not in types:
                raise ValueError(f"a {geom.geom_type}, expected {' or '.join(types)}")
        except Exception as exc:  # noqa: BLE001 - any geometry problem is a reason to quarantine
            bad.append(Unreadable(n, f"invalid geometry: {exc}", orjson.dumps(feat).decode()[:_MAX_RAW]))
            continue
        props = feat.get("properties") or {}
        c = geom.centroid
        rows.append([_text(props.get(w)) for w in wanted] + [geom.wkt, repr(c.y), repr(c.x)])
        numbers.append(n)
    return ReadResult(_frame(rows, wanted + ["geometry", "_centroid_lat", "_centroid_lon"], numbers), bad)


READERS = {"csv": read_csv, "jsonl": read_jsonl, "json": read_json_array, "open311": read_json_array, "geojson": read_geojson}


def read_file(path: Path, src: Source) -> ReadResult:
    return READERS[src.format](Path(path), src)


def record_json(df: pd.DataFrame, columns: list[str]) -> list[str]:
    """Each row's delivered values as a JSON object (what quarantine keeps)."""
    return [orjson.dumps({c: v for c, v in zip(columns, row) if v is not None}).decode()
            for row in df[columns].itertuples(index=False, name=None)]
