"""Readers and an independent contract checker for the simulator's tests.

Deliberately independent of the pipeline's own readers/validators: it re-implements the
rules of ``data_contracts/sources.py`` (required, types, allowed, min/max, regex) so a
simulator bug cannot hide behind a shared code path.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from data_contracts.sources import SOURCES, Source
from simulator.core import REFERENCE_SOURCES
from simulator.delivery import SIMULATED_EVENT_SOURCES

KITCHENER_BBOX = (-80.60, 43.38, -80.38, 43.52)  # lon_min, lat_min, lon_max, lat_max
# What the simulator delivers; the other sources come from imports (toronto_tickets) or the
# ops database (review_decisions).
SIMULATED_SOURCES = (*SIMULATED_EVENT_SOURCES, *REFERENCE_SOURCES)
_OFFSET = re.compile(r"(Z|[+-]\d\d:\d\d)$")


@dataclass
class Row:
    source: str
    file: str
    row_number: int
    record: dict | None  # None: could not be parsed as a record at all (malformed JSON line)
    raw: str


def read_rows(out: Path, source: str) -> list[Row]:
    src = SOURCES[source]
    folder = Path(out) / "landing" / source
    rows: list[Row] = []
    for f in sorted(folder.iterdir()):
        text = f.read_text(encoding="utf-8")
        if src.format == "csv":
            lines = text.splitlines()
            reader = csv.reader(lines)
            header = next(reader)
            assert header == src.field_names, f"{f.name}: header {header}"
            for n, (vals, line) in enumerate(zip(reader, lines[1:]), start=1):
                rec = dict(zip(header, vals)) if len(vals) == len(header) else None
                rows.append(Row(source, f.name, n, rec, line))
        elif src.format == "jsonl":
            for n, line in enumerate(text.splitlines(), start=1):
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    rec = None
                rows.append(Row(source, f.name, n, rec, line))
        elif src.format in ("open311", "json"):
            doc = json.loads(text)
            assert isinstance(doc, list)
            for n, rec in enumerate(doc, start=1):
                rows.append(Row(source, f.name, n, rec, json.dumps(rec)))
        elif src.format == "geojson":
            doc = json.loads(text)
            assert doc["type"] == "FeatureCollection"
            for n, feat in enumerate(doc["features"], start=1):
                rec = dict(feat["properties"])
                rec["geometry"] = feat["geometry"]
                rows.append(Row(source, f.name, n, rec, json.dumps(feat)))
    return rows


def _missing(v) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def parse_value(src: Source, f, v):
    """Typed value or raise ValueError."""
    if f.type == "string":
        if not isinstance(v, str):
            raise ValueError("not a string")
        return v
    if f.type == "int":
        if isinstance(v, bool):
            raise ValueError("bool is not int")
        if isinstance(v, int):
            return v
        if isinstance(v, str) and re.fullmatch(r"-?\d+", v):
            return int(v)
        raise ValueError(f"not an int: {v!r}")
    if f.type == "float":
        if isinstance(v, bool):
            raise ValueError("bool is not float")
        if isinstance(v, (int, float)):
            return float(v)
        return float(v)
    if f.type == "bool":
        if isinstance(v, bool):
            return v
        if v in ("true", "false"):
            return v == "true"
        raise ValueError(f"not a bool: {v!r}")
    if f.type == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            raise ValueError("not a date")
        return dt.date.fromisoformat(v)
    if f.type == "timestamp":
        if not isinstance(v, str):
            raise ValueError("timestamp must be text")
        has_off = bool(_OFFSET.search(v))
        if not has_off and not src.naive_tz:
            raise ValueError("timestamp without offset")
        t = dt.datetime.fromisoformat(v)
        if has_off and t.tzinfo is None:  # pragma: no cover
            raise ValueError("offset not parsed")
        return t
    if f.type == "geometry":
        from shapely.geometry import shape

        g = shape(v)
        if g.is_empty or not g.is_valid:
            raise ValueError("invalid geometry")
        return g
    raise ValueError(f.type)


def violations(src: Source, rec: dict | None) -> list[str]:
    """Why a record breaks its source's contract (empty list: it is valid)."""
    if rec is None:
        return ["malformed"]
    out = []
    if set(rec) != set(src.field_names):
        out.append(f"fields {sorted(set(rec) ^ set(src.field_names))}")
    for f in src.fields:
        v = rec.get(f.name)
        if _missing(v):
            if f.required:
                out.append(f"{f.name}: required")
            continue
        try:
            x = parse_value(src, f, v)
        except (ValueError, TypeError) as exc:
            out.append(f"{f.name}: type ({exc})")
            continue
        if f.allowed is not None and x not in f.allowed:
            out.append(f"{f.name}: not allowed ({x!r})")
        if f.min is not None and x < f.min:
            out.append(f"{f.name}: below min")
        if f.max is not None and x > f.max:
            out.append(f"{f.name}: above max")
        if f.regex is not None and not re.search(f.regex, str(x)):
            out.append(f"{f.name}: regex")
    return out


def to_utc(src: Source, value: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(value)
    if t.tzinfo is None:
        from zoneinfo import ZoneInfo

        t = t.replace(tzinfo=ZoneInfo(src.naive_tz))
    return t.astimezone(dt.timezone.utc)


def local_day(src: Source, value: str) -> dt.date:
    from zoneinfo import ZoneInfo

    return to_utc(src, value).astimezone(ZoneInfo("America/Toronto")).date()


def tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(root).rglob("*")) if p.is_file()}


def read_csv_dicts(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def valid_rows(out: Path, source: str, defects: set, dups: set) -> list[Row]:
    return [r for r in read_rows(out, source) if (r.file, r.row_number) not in defects and (r.file, r.row_number) not in dups]
