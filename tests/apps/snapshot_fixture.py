"""Build a small serving snapshot (the DuckDB file the apps read) with known values.

Reusable by any test that needs a snapshot::

    from snapshot_fixture import write_snapshot        # tests/apps on sys.path
    path = write_snapshot(tmp_path / "civic_serving.duckdb")
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))

Every table has exactly the published schema (see ``SCHEMA``). Pass rows to
override the defaults; pass ``[]`` for an empty table, or name a table in
``omit`` to leave it out (to test a snapshot from another pipeline version).
The file is written beside ``path`` and swapped in with ``os.replace``, as the
pipeline does.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import duckdb

UTC = dt.timezone.utc

# table -> ordered (column, type)
SCHEMA: dict[str, list[tuple[str, str]]] = {
    "marts.fct_overview_kpis": [
        ("kpi", "VARCHAR"),
        ("label", "VARCHAR"),
        ("value", "DOUBLE"),
        ("unit", "VARCHAR"),
        ("as_of_day", "DATE"),
        ("baseline_value", "DOUBLE"),
        ("baseline_label", "VARCHAR"),
        ("change_pct", "DOUBLE"),
        ("source_models", "VARCHAR"),
    ],
    "marts.fct_daily_kpis": [
        ("day", "DATE"),
        ("revenue_sessions", "DOUBLE"),
        ("revenue_meters", "DOUBLE"),
        ("revenue_ticket_payments", "DOUBLE"),
        ("revenue_total", "DOUBLE"),
        ("meter_uptime_pct", "DOUBLE"),
        ("tickets_issued", "BIGINT"),
        ("avg_occupancy_pct", "DOUBLE"),
        ("open_cases", "BIGINT"),
        ("avg_resolution_days", "DOUBLE"),
        ("inspections", "BIGINT"),
        ("order_compliance_pct", "DOUBLE"),
        ("complaints_received", "BIGINT"),
        ("plate_reads", "BIGINT"),
        ("online_payments", "BIGINT"),
    ],
    "marts.fct_recent_activity": [
        ("activity_at", "TIMESTAMPTZ"),
        ("activity_type", "VARCHAR"),
        ("title", "VARCHAR"),
        ("detail", "VARCHAR"),
        ("zone_id", "VARCHAR"),
        ("source_model", "VARCHAR"),
    ],
    "meta.snapshot_info": [
        ("published_at", "TIMESTAMPTZ"),
        ("run_id", "VARCHAR"),
        ("data_as_of", "TIMESTAMPTZ"),
        ("pipeline_started_at", "TIMESTAMPTZ"),
    ],
    "meta.source_freshness": [
        ("source", "VARCHAR"),
        ("latest_delivery", "DATE"),
        ("rows_landed", "BIGINT"),
        ("rows_quarantined", "BIGINT"),
    ],
}

AS_OF_DAY = dt.date(2025, 11, 21)  # a Friday, Eastern Standard Time (UTC-5)

# kpi, label, value, unit, as_of_day, baseline_value, baseline_label, change_pct, source_models
DEFAULT_KPIS: list[dict[str, Any]] = [
    dict(kpi="revenue_today", label="Revenue today", value=48213.5, unit="$", as_of_day=AS_OF_DAY,
         baseline_value=42875.0, baseline_label="vs. 30-day average", change_pct=12.5,
         source_models="fct_daily_kpis (stg_paybyplate__sessions, stg_meters__events, fct_ticket_payments)"),
    dict(kpi="meter_uptime", label="Meter uptime", value=97.26, unit="%", as_of_day=AS_OF_DAY,
         baseline_value=98.1, baseline_label="7-day average", change_pct=-0.87,
         source_models="fct_meter_status"),
    dict(kpi="tickets_issued", label="Tickets issued", value=1284.0, unit="count", as_of_day=AS_OF_DAY,
         baseline_value=1190.0, baseline_label="same weekday last week", change_pct=7.9,
         source_models="fct_tickets"),
    dict(kpi="avg_occupancy", label="Avg occupancy", value=81.4, unit="%", as_of_day=AS_OF_DAY,
         baseline_value=None, baseline_label="7-day average", change_pct=None,
         source_models="fct_zone_occupancy"),
    dict(kpi="open_cases", label="Open cases", value=312.0, unit="count", as_of_day=AS_OF_DAY,
         baseline_value=300.0, baseline_label="a week ago", change_pct=4.0,
         source_models="fct_bylaw_cases"),
    dict(kpi="avg_resolution_days", label="Avg resolution", value=18.64, unit="days", as_of_day=AS_OF_DAY,
         baseline_value=21.0, baseline_label="previous 30 days", change_pct=-11.24,
         source_models="fct_bylaw_cases"),
    dict(kpi="inspections_today", label="Inspections today", value=57.0, unit="count", as_of_day=AS_OF_DAY,
         baseline_value=57.0, baseline_label="same weekday last week", change_pct=0.0,
         source_models="fct_inspections"),
    dict(kpi="order_compliance", label="Order compliance", value=73.5, unit="%", as_of_day=AS_OF_DAY,
         baseline_value=70.0, baseline_label="previous 30 days", change_pct=5.0,
         source_models="fct_orders, int_order_compliance_evaluated"),
]

# What the overview page should show for DEFAULT_KPIS: kpi -> (value, delta)
EXPECTED_TILES: dict[str, tuple[str, str | None]] = {
    "revenue_today": ("$48,213.50", "+12.5%"),
    "meter_uptime": ("97.3%", "-0.9%"),
    "tickets_issued": ("1,284", "+7.9%"),
    "avg_occupancy": ("81.4%", None),
    "open_cases": ("312", "+4.0%"),
    "avg_resolution_days": ("18.6 days", "-11.2%"),
    "inspections_today": ("57", "0.0%"),
    "order_compliance": ("73.5%", "+5.0%"),
}

DATA_AS_OF = dt.datetime(2025, 11, 21, 22, 45, tzinfo=UTC)  # 17:45 EST
PUBLISHED_AT = dt.datetime(2025, 11, 22, 6, 2, tzinfo=UTC)  # 01:02 EST
PIPELINE_STARTED_AT = dt.datetime(2025, 11, 22, 5, 50, tzinfo=UTC)  # 00:50 EST
RUN_ID = "run-2025-11-22-0550"

DEFAULT_SNAPSHOT_INFO: dict[str, Any] = dict(
    published_at=PUBLISHED_AT,
    run_id=RUN_ID,
    data_as_of=DATA_AS_OF,
    pipeline_started_at=PIPELINE_STARTED_AT,
)

DEFAULT_FRESHNESS: list[dict[str, Any]] = [
    dict(source="alpr_reads", latest_delivery=dt.date(2025, 11, 21), rows_landed=120_000, rows_quarantined=0),
    dict(source="meter_events", latest_delivery=dt.date(2025, 11, 21), rows_landed=8_400, rows_quarantined=12),
    dict(source="paybyplate_sessions", latest_delivery=dt.date(2025, 11, 22), rows_landed=30_500, rows_quarantined=3),
    dict(source="permits", latest_delivery=dt.date(2025, 11, 17), rows_landed=950, rows_quarantined=0),
]

ACTIVITY_TYPES = (
    "alpr_violation_detected",
    "permit_approved",
    "meter_fault",
    "online_payment",
    "pricing_change",
    "complaint_received",
    "order_issued",
)


def default_activity(n: int = 30) -> list[dict[str, Any]]:
    """``n`` events, one every 10 minutes ending at DATA_AS_OF, cycling through
    the activity types; inserted in shuffled order. Titles are ``Event NN``
    where NN = 01 is the oldest and ``n`` the newest."""
    rows = []
    for i in range(n):
        at = DATA_AS_OF - dt.timedelta(minutes=10 * (n - 1 - i))
        kind = ACTIVITY_TYPES[i % len(ACTIVITY_TYPES)]
        rows.append(
            dict(
                activity_at=at,
                activity_type=kind,
                title=f"Event {i + 1:02d}",
                detail=f"{kind} detail {i + 1:02d}",
                zone_id=None if i % 5 == 0 else f"Z{(i % 4) + 1}",
                source_model=f"fct_{kind}",
            )
        )
    # Insertion order must not matter: interleave from both ends.
    return [rows[j] for j in sorted(range(n), key=lambda j: (j % 3, -j))]


def default_daily(days: int = 40, end: dt.date = AS_OF_DAY) -> list[dict[str, Any]]:
    """``days`` days ending at ``end``; day k (0 = oldest) has revenue_total
    1000 + k, tickets_issued 100 + k, meter_uptime_pct 90 + k/10, ..."""
    rows = []
    for k in range(days):
        day = end - dt.timedelta(days=days - 1 - k)
        rows.append(
            dict(
                day=day,
                revenue_sessions=600.0 + k,
                revenue_meters=300.0,
                revenue_ticket_payments=100.0,
                revenue_total=1000.0 + 2 * k,
                meter_uptime_pct=90.0 + k / 10,
                tickets_issued=100 + k,
                avg_occupancy_pct=None if k == days - 2 else 70.0 + k / 4,
                open_cases=300 + k,
                avg_resolution_days=20.0 - k / 10,
                inspections=40 + k,
                order_compliance_pct=70.0,
                complaints_received=10 + k % 3,
                plate_reads=10_000 + k,
                online_payments=500 + k,
            )
        )
    return rows


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
    cols = [c for c, _ in SCHEMA[table]]
    placeholders = ", ".join("?" for _ in cols)
    rows = list(rows)
    unknown = {k for row in rows for k in row} - set(cols)
    if unknown:
        raise ValueError(f"{table}: unknown columns {sorted(unknown)}")
    data = [[row.get(c) for c in cols] for row in rows]
    if data:
        con.executemany(f"INSERT INTO {table} VALUES ({placeholders})", data)


def write_snapshot(
    path: str | os.PathLike[str],
    *,
    kpis: Sequence[Mapping[str, Any]] | None = None,
    daily: Sequence[Mapping[str, Any]] | None = None,
    activity: Sequence[Mapping[str, Any]] | None = None,
    snapshot_info: Mapping[str, Any] | None = None,
    freshness: Sequence[Mapping[str, Any]] | None = None,
    omit: Iterable[str] = (),
) -> Path:
    """Write a serving snapshot at ``path`` (atomically) and return the path.

    ``None`` means the defaults above; ``snapshot_info={}`` gives an empty
    ``meta.snapshot_info``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)

    content: dict[str, list[Mapping[str, Any]]] = {
        "marts.fct_overview_kpis": list(DEFAULT_KPIS if kpis is None else kpis),
        "marts.fct_daily_kpis": list(default_daily() if daily is None else daily),
        "marts.fct_recent_activity": list(default_activity() if activity is None else activity),
        "meta.snapshot_info": (
            [DEFAULT_SNAPSHOT_INFO]
            if snapshot_info is None
            else ([dict(snapshot_info)] if snapshot_info else [])
        ),
        "meta.source_freshness": list(DEFAULT_FRESHNESS if freshness is None else freshness),
    }
    omit = set(omit)
    unknown = omit - set(SCHEMA)
    if unknown:
        raise ValueError(f"unknown tables in omit: {sorted(unknown)}")

    con = duckdb.connect(str(tmp))
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE SCHEMA meta")
        for table, columns in SCHEMA.items():
            if table in omit:
                continue
            ddl = ", ".join(f"{c} {t}" for c, t in columns)
            con.execute(f"CREATE TABLE {table} ({ddl})")
            _insert(con, table, content[table])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, path)
    return path
