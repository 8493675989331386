"""A serving snapshot for the Review queue page: the base snapshot (snapshot_fixture) plus
``enforcement.enf_review_queue`` and ``marts.dim_officers``, their columns and types read
from the models' dbt contracts (so the page reads what the pipeline publishes)::

    from review_queue_snapshot_fixture import write_review_queue_snapshot
    path = write_review_queue_snapshot(tmp_path / "civic_serving.duckdb")
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

import duckdb
import yaml
from snapshot_fixture import write_snapshot

MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models"
TYPES = {"timestamp with time zone": "TIMESTAMPTZ"}
UTC = dt.timezone.utc


def contract_columns(yml: Path, model: str) -> list[tuple[str, str]]:
    spec = next(m for m in yaml.safe_load(yml.read_text())["models"] if m["name"] == model)
    return [(c["name"], TYPES.get(c["data_type"], c["data_type"].upper())) for c in spec["columns"]]


SCHEMA: dict[str, list[tuple[str, str]]] = {
    "enforcement.enf_review_queue": contract_columns(MODELS / "enforcement" / "_review_queue.yml", "enf_review_queue"),
    "marts.dim_officers": contract_columns(MODELS / "marts" / "_marts.yml", "dim_officers"),
}

OFFICERS = [
    dict(officer_id="PK-101", badge_number="K7255", unit="parking", home_zone_id="Z02", specialty="alpr",
         is_active=True, is_unknown=False),
    dict(officer_id="PK-102", badge_number="K3276", unit="parking", home_zone_id="Z01", specialty="alpr",
         is_active=True, is_unknown=False),
    dict(officer_id="PK-901", badge_number="K9270", unit="parking", is_active=False, is_unknown=False),
    dict(officer_id="BY-201", badge_number="K3305", unit="bylaw", is_active=True, is_unknown=False),
    dict(officer_id="-1", badge_number="unknown", is_unknown=True),
]


def detection(n: int, captured_at: dt.datetime, zone: str, violation: str, **kw: Any) -> dict[str, Any]:
    read_id = f"RD20251121-{n:07d}"
    fine = {"meter_unpaid": 30.0, "overtime": 30.0, "no_stopping": 100.0}[violation]
    row = dict(
        read_id=read_id, plate=f"ABC{n:03d}", province="ON", plate_pseudonym=f"ps{n:014d}",
        captured_at=captured_at, captured_date=(captured_at - dt.timedelta(hours=5)).date(),
        lat=43.45 + n / 1e4, lon=-80.49, confidence=0.9 + n / 100,
        image_ref=f"alpr-evidence/2025/11/21/{read_id}.jpg", camera_id="ALPR-01-L", unit_id="ALPR-01",
        detected_by_officer_id="PK-101", blockface_id=f"BF-{n:05d}", zone_id=zone, street="King St", side="N",
        street_address="King St (N side)", violation_type=violation, violation_types=violation,
        bylaw_code={"meter_unpaid": "PK-001", "overtime": "PK-002", "no_stopping": "PK-401"}[violation],
        fine_amount=fine, reason=f"{violation} reason", reasons=f"{violation} reason", is_scofflaw=False,
        scofflaw_unpaid_tickets=0, scofflaw_unpaid_total=0.0, first_read_at=None, last_read_at=captured_at,
        minutes_since_first_read=None, time_limit_minutes=None,
    )
    return {**row, **kw}


def default_queue() -> list[dict[str, Any]]:
    """Four detections on 2025-11-20/21, inserted newest first: 1 is the oldest."""
    t = dt.datetime(2025, 11, 20, 14, 0, tzinfo=UTC)  # 09:00 EST
    return [
        detection(4, t + dt.timedelta(days=1, hours=3), "Z02", "meter_unpaid"),
        detection(3, t + dt.timedelta(days=1), "Z01", "no_stopping", image_ref=None),
        detection(2, t + dt.timedelta(hours=2), "Z02", "overtime", first_read_at=t, minutes_since_first_read=120.0,
                  time_limit_minutes=60, is_scofflaw=True, scofflaw_unpaid_tickets=4, scofflaw_unpaid_total=260.0,
                  reasons="overtime reason; scofflaw: 4 unpaid tickets"),
        detection(1, t, "Z02", "meter_unpaid"),
    ]


def write_review_queue_snapshot(path: str | os.PathLike[str], *, queue: Sequence[Mapping[str, Any]] | None = None,
                                officers: Sequence[Mapping[str, Any]] | None = None, **base: Any) -> Path:
    """The base snapshot (``write_snapshot(**base)``) plus these tables, swapped in atomically."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.rq-{os.getpid()}")
    write_snapshot(tmp, **base)
    content = {"enforcement.enf_review_queue": list(default_queue() if queue is None else queue),
               "marts.dim_officers": list(OFFICERS if officers is None else officers)}
    con = duckdb.connect(str(tmp))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS enforcement")
        for table, columns in SCHEMA.items():
            con.execute(f"CREATE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns)})")
            names = [c for c, _ in columns]
            rows = [[r.get(c) for c in names] for r in content[table]]
            if rows:
                con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in names)})", rows)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, path)
    return path
