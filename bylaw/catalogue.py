"""Reference tables of bylaw enforcement: bylaw types and their sections, Open311 service
codes, SLA targets by bylaw type and priority, and the inspection checklist of each bylaw
type (``checklists.csv``: bylaw_type, item, in the order an officer goes through them; the
``*`` rows are the checklist of a type without its own).

The tables are CSV files in ``bylaw/reference/`` (Ontario-like defaults). A municipality
overrides the SLA targets with ``CIVIC_BYLAW_SLA_FILE``: a CSV with the same columns
(``bylaw_type`` may be ``*`` for any type), or a JSON list of objects with those keys; its
rows take precedence over the defaults, row by row.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference"
SLA_FILE_ENV = "CIVIC_BYLAW_SLA_FILE"
PRIORITIES = ("urgent", "standard", "low")
ANY_TYPE = "*"


def _rows(path: Path) -> list[dict]:
    if path.suffix.lower() == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class BylawType:
    bylaw_type: str
    label: str
    bylaw_section: str
    default_priority: str


@functools.cache
def bylaw_types() -> dict[str, BylawType]:
    return {r["bylaw_type"]: BylawType(**r) for r in _rows(REFERENCE / "bylaw_types.csv")}


def bylaw_type(name: str) -> BylawType:
    try:
        return bylaw_types()[name]
    except KeyError:
        raise ValueError(f"unknown bylaw type {name!r}; known: {', '.join(bylaw_types())}") from None


def bylaw_section(name: str) -> str:
    return bylaw_type(name).bylaw_section


@functools.cache
def service_codes() -> dict[str, dict]:
    """Open311 service_code -> {service_name, bylaw_type, priority}."""
    return {r["service_code"]: r for r in _rows(REFERENCE / "service_codes.csv")}


@dataclass(frozen=True)
class SlaTarget:
    bylaw_type: str
    priority: str
    first_inspection_hours: float
    resolution_days: float

    def due(self, opened_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """(first inspection due, resolution due) for a case opened at ``opened_at``."""
        return (opened_at + dt.timedelta(hours=self.first_inspection_hours),
                opened_at + dt.timedelta(days=self.resolution_days))


def sla_targets() -> dict[tuple[str, str], SlaTarget]:
    """(bylaw_type or '*', priority) -> target: the defaults, then ``CIVIC_BYLAW_SLA_FILE``'s rows."""
    return _sla_targets(os.environ.get(SLA_FILE_ENV) or "")


@functools.lru_cache(maxsize=8)
def _sla_targets(override: str) -> dict[tuple[str, str], SlaTarget]:
    rows = _rows(REFERENCE / "sla_targets.csv") + (_rows(Path(override)) if override else [])
    out = {}
    for r in rows:
        if r["priority"] not in PRIORITIES:
            raise ValueError(f"SLA target with unknown priority {r['priority']!r} (one of {PRIORITIES})")
        t = SlaTarget(r["bylaw_type"], r["priority"], float(r["first_inspection_hours"]), float(r["resolution_days"]))
        out[(t.bylaw_type, t.priority)] = t
    return out


def sla_target(bylaw_type_name: str, priority: str) -> SlaTarget:
    """The target for this type and priority, else the priority's default for any type."""
    targets = sla_targets()
    found = targets.get((bylaw_type_name, priority)) or targets.get((ANY_TYPE, priority))
    if found is None:
        raise ValueError(f"no SLA target for {bylaw_type_name!r} / {priority!r}")
    return found


@functools.cache
def checklists() -> dict[str, tuple[str, ...]]:
    """bylaw_type (or '*', the default) -> its inspection checklist items, in file order."""
    out: dict[str, list[str]] = {}
    for r in _rows(REFERENCE / "checklists.csv"):
        item = (r["item"] or "").strip()
        if item:
            out.setdefault(r["bylaw_type"].strip(), []).append(item)
    return {k: tuple(v) for k, v in out.items()}


def checklist(bylaw_type_name: str | None) -> tuple[str, ...]:
    """The inspection checklist for a bylaw type: its own items, else the default ('*')."""
    table = checklists()
    return table.get(bylaw_type_name or ANY_TYPE) or table[ANY_TYPE]
