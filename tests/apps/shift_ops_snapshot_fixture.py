"""A serving snapshot with the shift-analytics and operations marts, with known values.

Builds on ``snapshot_fixture.write_snapshot`` (the overview and meta tables) and adds::

    marts.dim_zones, marts.fct_officer_shifts, marts.fct_officer_shift_comparisons,
    marts.fct_officer_shift_tickets_by_type, marts.fct_revenue_daily,
    marts.fct_occupancy_hourly, marts.fct_meter_uptime_daily, marts.fct_meter_faults,
    marts.fct_pricing_changes

with exactly their dbt contracts' columns and types (``test_shift_ops_fixture_matches_contracts``
checks that). Usage::

    from shift_ops_snapshot_fixture import write_shift_ops_snapshot
    path = write_shift_ops_snapshot(tmp_path / "civic_serving.duckdb")

The comparisons are derived from the shifts by ``comparisons_for`` (the mart's
definitions, re-stated in Python); tests assert hand-computed literals against what the
pages show, so a slip in either shows.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import duckdb
from snapshot_fixture import write_snapshot

UTC = dt.timezone.utc

SCHEMA: dict[str, list[tuple[str, str]]] = {
    "marts.dim_zones": [
        ("zone_id", "VARCHAR"), ("zone_name", "VARCHAR"), ("blockfaces", "BIGINT"), ("paid_blockfaces", "BIGINT"),
        ("spaces", "BIGINT"), ("meters", "BIGINT"), ("centroid_lat", "DOUBLE"), ("centroid_lon", "DOUBLE"),
        ("geometry_wkt", "VARCHAR"), ("is_unknown", "BOOLEAN"),
    ],
    "marts.fct_officer_shifts": [
        ("shift_id", "VARCHAR"), ("shift_date", "DATE"), ("weekday", "INTEGER"), ("weekday_name", "VARCHAR"),
        ("shift_start", "TIMESTAMPTZ"), ("shift_end", "TIMESTAMPTZ"), ("shift_hours", "DOUBLE"),
        ("officer_id", "VARCHAR"), ("badge_number", "VARCHAR"), ("zone_id", "VARCHAR"), ("mode", "VARCHAR"),
        ("enforcement_type", "VARCHAR"), ("unit_id", "VARCHAR"), ("plates_scanned", "BIGINT"),
        ("vehicles_observed", "BIGINT"), ("violations_detected", "BIGINT"), ("detection_rate_pct", "DOUBLE"),
        ("tickets_issued", "BIGINT"), ("tickets_alpr", "BIGINT"), ("tickets_manual", "BIGINT"),
        ("tickets_mail", "BIGINT"), ("fines_issued", "DOUBLE"), ("tickets_per_hour", "DOUBLE"),
        ("blockfaces_passed", "BIGINT"), ("zone_blockfaces_passed", "BIGINT"), ("zone_spaces_passed", "BIGINT"),
        ("zone_spaces", "BIGINT"), ("route_coverage_pct", "DOUBLE"), ("compliance_rate_pct", "DOUBLE"),
        ("detections_source", "VARCHAR"),
    ],
    "marts.fct_officer_shift_tickets_by_type": [
        ("shift_id", "VARCHAR"), ("shift_date", "DATE"), ("officer_id", "VARCHAR"), ("zone_id", "VARCHAR"),
        ("mode", "VARCHAR"), ("enforcement_type", "VARCHAR"), ("violation_type", "VARCHAR"), ("tickets", "BIGINT"),
        ("tickets_alpr", "BIGINT"), ("tickets_manual", "BIGINT"), ("fines_issued", "DOUBLE"),
    ],
    "marts.fct_officer_shift_comparisons": [
        ("shift_id", "VARCHAR"), ("shift_date", "DATE"), ("mode", "VARCHAR"), ("zone_id", "VARCHAR"),
        ("metric", "VARCHAR"), ("metric_label", "VARCHAR"), ("unit", "VARCHAR"), ("better_direction", "VARCHAR"),
        ("sort_order", "INTEGER"), ("value", "DOUBLE"), ("team_day_avg", "DOUBLE"), ("team_day_shifts", "BIGINT"),
        ("team_day_delta", "DOUBLE"), ("weekday_avg", "DOUBLE"), ("weekday_shifts", "BIGINT"),
        ("weekday_delta", "DOUBLE"), ("zone_avg", "DOUBLE"), ("zone_shifts", "BIGINT"), ("zone_delta", "DOUBLE"),
    ],
    "marts.fct_revenue_daily": [
        ("day", "DATE"), ("zone_id", "VARCHAR"), ("revenue_stream", "VARCHAR"), ("source", "VARCHAR"),
        ("channel", "VARCHAR"), ("transactions", "BIGINT"), ("revenue", "DOUBLE"),
    ],
    "marts.fct_occupancy_hourly": [
        ("hour_start", "TIMESTAMPTZ"), ("hour_local", "TIMESTAMP"), ("day", "DATE"), ("hour_of_day", "INTEGER"),
        ("weekday", "INTEGER"), ("blockface_id", "VARCHAR"), ("zone_id", "VARCHAR"), ("spaces", "BIGINT"),
        ("reads", "BIGINT"), ("vehicles_observed", "BIGINT"), ("occupancy_pct", "DOUBLE"),
    ],
    "marts.fct_meter_uptime_daily": [
        ("day", "DATE"), ("zone_id", "VARCHAR"), ("meters_in_service", "BIGINT"), ("meter_hours", "DOUBLE"),
        ("fault_hours", "DOUBLE"), ("meters_faulted", "BIGINT"), ("faults_started", "BIGINT"), ("repairs", "BIGINT"),
        ("meter_uptime_pct", "DOUBLE"),
    ],
    "marts.fct_meter_faults": [
        ("fault_id", "VARCHAR"), ("meter_id", "VARCHAR"), ("zone_id", "VARCHAR"), ("blockface_id", "VARCHAR"),
        ("fault_seq", "BIGINT"), ("fault_code", "VARCHAR"), ("fault_event_id", "VARCHAR"),
        ("fault_started_at", "TIMESTAMPTZ"), ("fault_date", "DATE"), ("repaired_at", "TIMESTAMPTZ"),
        ("repaired_date", "DATE"), ("fault_ended_at", "TIMESTAMPTZ"), ("is_open", "BOOLEAN"),
        ("duration_hours", "DOUBLE"), ("fault_reports", "BIGINT"),
    ],
    "marts.fct_pricing_changes": [
        ("pricing_change_id", "VARCHAR"), ("blockface_id", "VARCHAR"), ("zone_id", "VARCHAR"),
        ("effective_at", "TIMESTAMPTZ"), ("effective_date", "DATE"), ("meters_changed", "BIGINT"),
        ("spaces", "BIGINT"), ("old_rate_per_hour", "DOUBLE"), ("new_rate_per_hour", "DOUBLE"),
        ("rate_change_pct", "DOUBLE"), ("window_days", "INTEGER"), ("before_start_at", "TIMESTAMPTZ"),
        ("after_end_at", "TIMESTAMPTZ"), ("before_hours", "DOUBLE"), ("after_hours", "DOUBLE"),
        ("observed_hours_before", "BIGINT"), ("observed_hours_after", "BIGINT"), ("occupancy_before_pct", "DOUBLE"),
        ("occupancy_after_pct", "DOUBLE"), ("occupancy_change_pts", "DOUBLE"), ("meter_revenue_before", "DOUBLE"),
        ("meter_revenue_after", "DOUBLE"), ("session_revenue_before", "DOUBLE"), ("session_revenue_after", "DOUBLE"),
        ("revenue_per_space_hour_before", "DOUBLE"), ("revenue_per_space_hour_after", "DOUBLE"),
        ("revenue_per_space_hour_change_pct", "DOUBLE"),
    ],
}

FRI = dt.date(2025, 11, 21)  # the base fixture's AS_OF_DAY (EST, UTC-5)
PREV_FRI = dt.date(2025, 11, 14)
ALPR_SOURCE = "ALPR-assisted tickets (fct_tickets.detection_source = alpr)"
MANUAL_SOURCE = "manual tickets (fct_tickets.detection_source = manual)"


def _utc(day: dt.date, hour: int) -> dt.datetime:
    """Local (EST, UTC-5) hour on ``day`` as a UTC instant."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC) + dt.timedelta(hours=hour + 5)


def _shift(shift_id, day, officer, badge, zone, mode, start_h, *, plates=None, vehicles=None, detections,
           tickets, mail=0, coverage=None, zone_spaces_passed=None) -> dict[str, Any]:
    hours = 8.0
    alpr = mode == "alpr"
    return dict(
        shift_id=shift_id, shift_date=day, weekday=day.isoweekday(), weekday_name=day.strftime("%A"),
        shift_start=_utc(day, start_h), shift_end=_utc(day, start_h + 8), shift_hours=hours,
        officer_id=officer, badge_number=badge, zone_id=zone, mode=mode,
        enforcement_type="ALPR" if alpr else "manual", unit_id="ALPR-01" if alpr else None,
        plates_scanned=plates, vehicles_observed=vehicles, violations_detected=detections,
        detection_rate_pct=(100.0 * detections / plates) if alpr and plates else None,
        tickets_issued=tickets, tickets_alpr=tickets if alpr else 0, tickets_manual=0 if alpr else tickets,
        tickets_mail=mail, fines_issued=40.0 * tickets, tickets_per_hour=tickets / hours,
        blockfaces_passed=50 if alpr else None, zone_blockfaces_passed=30 if alpr else None,
        zone_spaces_passed=zone_spaces_passed, zone_spaces=400 if zone == "Z01" else 200,
        route_coverage_pct=coverage,
        compliance_rate_pct=(100.0 * (1 - detections / vehicles)) if alpr and vehicles else None,
        detections_source=ALPR_SOURCE if alpr else MANUAL_SOURCE,
    )


def default_shifts() -> list[dict[str, Any]]:
    """Friday 2025-11-21: ALPR day shift SH-A1 (PK-101, Z01), ALPR evening SH-A2 (PK-102,
    Z02), foot SH-F1 (PK-103, Z01); the Friday before: SH-A3 (PK-101, Z01), SH-F2."""
    return [
        _shift("SH-A1", FRI, "PK-101", "K101", "Z01", "alpr", 7, plates=1200, vehicles=1000, detections=24,
               tickets=24, mail=2, coverage=75.0, zone_spaces_passed=300),
        _shift("SH-A2", FRI, "PK-102", "K102", "Z02", "alpr", 15, plates=800, vehicles=700, detections=8,
               tickets=8, coverage=50.0, zone_spaces_passed=100),
        _shift("SH-F1", FRI, "PK-103", "K103", "Z01", "foot", 8, detections=40, tickets=40),
        _shift("SH-A3", PREV_FRI, "PK-101", "K101", "Z01", "alpr", 7, plates=1000, vehicles=1000, detections=10,
               tickets=10, coverage=80.0, zone_spaces_passed=320),
        _shift("SH-F2", PREV_FRI, "PK-103", "K103", "Z01", "foot", 8, detections=32, tickets=32),
    ]


METRICS = [  # metric, label, unit, better, sort, modes
    ("plates_scanned", "Plates scanned", "count", "up", 1, ("alpr",)),
    ("violations_detected", "Violations detected", "count", "neutral", 2, ("alpr", "foot")),
    ("detection_rate_pct", "Detection rate", "%", "neutral", 3, ("alpr",)),
    ("tickets_issued", "Tickets issued", "count", "neutral", 4, ("alpr", "foot")),
    ("tickets_per_hour", "Tickets per hour", "per h", "neutral", 5, ("alpr", "foot")),
    ("route_coverage_pct", "Route coverage", "%", "up", 6, ("alpr",)),
    ("compliance_rate_pct", "Compliance rate", "%", "up", 7, ("alpr",)),
]


def _mean(values: list[Any]) -> tuple[float | None, int]:
    vals = [float(v) for v in values if v is not None]
    return (round(sum(vals) / len(vals), 6) if vals else None), len(vals)


def comparisons_for(shifts: Sequence[Mapping[str, Any]], weeks: int = 8, zone_days: int = 28) -> list[dict[str, Any]]:
    """fct_officer_shift_comparisons for ``shifts``: team = same mode and day; weekday =
    same mode and weekday in the ``weeks`` weeks before; zone = same mode and zone in the
    ``zone_days`` days ending the day."""
    out = []
    for s in shifts:
        for metric, label, unit, better, sort, modes in METRICS:
            if s["mode"] not in modes:
                continue
            peers = [p for p in shifts if p["mode"] == s["mode"]]
            team = _mean([p[metric] for p in peers if p["shift_date"] == s["shift_date"]])
            weekday = _mean([p[metric] for p in peers
                             if 7 <= (s["shift_date"] - p["shift_date"]).days <= 7 * weeks
                             and (s["shift_date"] - p["shift_date"]).days % 7 == 0])
            zone = _mean([p[metric] for p in peers if p["zone_id"] == s["zone_id"]
                          and 0 <= (s["shift_date"] - p["shift_date"]).days < zone_days])
            value = s[metric]

            def delta(avg):
                return None if value is None or avg is None else round(float(value) - avg, 6)

            out.append(dict(
                shift_id=s["shift_id"], shift_date=s["shift_date"], mode=s["mode"], zone_id=s["zone_id"],
                metric=metric, metric_label=label, unit=unit, better_direction=better, sort_order=sort,
                value=None if value is None else float(value),
                team_day_avg=team[0], team_day_shifts=team[1], team_day_delta=delta(team[0]),
                weekday_avg=weekday[0], weekday_shifts=weekday[1], weekday_delta=delta(weekday[0]),
                zone_avg=zone[0], zone_shifts=zone[1], zone_delta=delta(zone[0]),
            ))
    return out


def default_tickets_by_type(shifts: Sequence[Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """SH-A1: 20 expired_meter + 4 no_permit; SH-A2: 8 expired_meter; SH-F1: 30
    expired_meter + 10 overtime; SH-A3: 10 expired_meter; SH-F2: 32 overtime. $40 each."""
    split = {"SH-A1": {"expired_meter": 20, "no_permit": 4}, "SH-A2": {"expired_meter": 8},
             "SH-F1": {"expired_meter": 30, "overtime": 10}, "SH-A3": {"expired_meter": 10},
             "SH-F2": {"overtime": 32}}
    rows = []
    for s in shifts or default_shifts():
        for vtype, n in split.get(s["shift_id"], {}).items():
            alpr = s["mode"] == "alpr"
            rows.append(dict(shift_id=s["shift_id"], shift_date=s["shift_date"], officer_id=s["officer_id"],
                             zone_id=s["zone_id"], mode=s["mode"], enforcement_type=s["enforcement_type"],
                             violation_type=vtype, tickets=n, tickets_alpr=n if alpr else 0,
                             tickets_manual=0 if alpr else n, fines_issued=40.0 * n))
    return rows


DEFAULT_ZONES = [
    dict(zone_id="Z01", zone_name="Downtown", blockfaces=40, paid_blockfaces=30, spaces=400, meters=20,
         centroid_lat=43.45, centroid_lon=-80.49, geometry_wkt="POLYGON EMPTY", is_unknown=False),
    dict(zone_id="Z02", zone_name="Uptown", blockfaces=20, paid_blockfaces=0, spaces=200, meters=10,
         centroid_lat=43.46, centroid_lon=-80.52, geometry_wkt="POLYGON EMPTY", is_unknown=False),
    dict(zone_id="-1", zone_name="unknown", blockfaces=0, paid_blockfaces=0, spaces=0, meters=0,
         centroid_lat=None, centroid_lon=None, geometry_wkt=None, is_unknown=True),
]

THU = dt.date(2025, 11, 20)


def _rev(day, zone, stream, source, channel, n, amount):
    return dict(day=day, zone_id=zone, revenue_stream=stream, source=source, channel=channel,
                transactions=n, revenue=amount)


# Totals: 335.50 = pay-by-plate 205.50 + meters 50.00 + ticket payments 80.00; zone Z01 280.00.
DEFAULT_REVENUE = [
    _rev(THU, "Z01", "pay_by_plate", "vendor_a", "app", 8, 80.0),
    _rev(FRI, "Z01", "pay_by_plate", "vendor_a", "app", 10, 100.0),
    _rev(FRI, "Z01", "meter", "meters", "coin", 5, 20.0),
    _rev(FRI, "Z01", "meter", "meters", "card", 3, 30.0),
    _rev(FRI, "Z02", "pay_by_plate", "vendor_b", "phone", 2, 25.5),
    _rev(FRI, "-1", "ticket_payment", "ticket_payments", "online", 1, 30.0),
    _rev(FRI, "Z01", "ticket_payment", "ticket_payments", "in_person", 1, 50.0),
]


def _occ(day, hour, bf, zone, spaces, vehicles):
    start = _utc(day, hour)
    return dict(hour_start=start, hour_local=dt.datetime(day.year, day.month, day.day, hour), day=day,
                hour_of_day=hour, weekday=day.isoweekday(), blockface_id=bf, zone_id=zone, spaces=spaces,
                reads=vehicles, vehicles_observed=vehicles, occupancy_pct=min(100.0, 100.0 * vehicles / spaces))


# 2025-11-21 09:00: BF1 50 % and BF2 100 % (mean 75); 10:00 BF3 (Z02) 40 %; 11-20 09:00 BF1 20 %.
DEFAULT_OCCUPANCY = [
    _occ(FRI, 9, "BF1", "Z01", 10, 5),
    _occ(FRI, 9, "BF2", "Z01", 4, 4),
    _occ(FRI, 10, "BF3", "Z02", 10, 4),
    _occ(THU, 9, "BF1", "Z01", 10, 2),
]


def _up(day, zone, meters, fault_hours):
    hours = 24.0 * meters
    return dict(day=day, zone_id=zone, meters_in_service=meters, meter_hours=hours, fault_hours=fault_hours,
                meters_faulted=1 if fault_hours else 0, faults_started=1 if fault_hours else 0,
                repairs=1 if fault_hours == 12.0 else 0,
                meter_uptime_pct=100.0 * (1 - fault_hours / hours))


# 960 meter-hours over the two days, 18 down: 98.125 %.
DEFAULT_UPTIME = [_up(THU, "Z01", 10, 0.0), _up(THU, "Z02", 10, 0.0), _up(FRI, "Z01", 10, 12.0), _up(FRI, "Z02", 10, 6.0)]

DEFAULT_FAULTS = [
    dict(fault_id="M1-1", meter_id="M1", zone_id="Z01", blockface_id="BF1", fault_seq=1, fault_code="JAM",
         fault_event_id="E1", fault_started_at=_utc(FRI, 5), fault_date=FRI, repaired_at=_utc(FRI, 17),
         repaired_date=FRI, fault_ended_at=_utc(FRI, 17), is_open=False, duration_hours=12.0, fault_reports=2),
    dict(fault_id="M2-1", meter_id="M2", zone_id="Z02", blockface_id="BF3", fault_seq=1, fault_code="PWR",
         fault_event_id="E2", fault_started_at=_utc(FRI, 18), fault_date=FRI, repaired_at=None,
         repaired_date=None, fault_ended_at=_utc(FRI, 24), is_open=True, duration_hours=6.0, fault_reports=1),
]


def _price(bf, spaces, meter_b, meter_a, sess_b, sess_a, occ_b, occ_a, obs_b, obs_a):
    eff = _utc(THU, 5)
    per_b = (meter_b + sess_b) / (spaces * 24.0)
    per_a = (meter_a + sess_a) / (spaces * 24.0)
    return dict(
        pricing_change_id=f"{bf}@2025-11-20T10:00:00Z", blockface_id=bf, zone_id="Z01", effective_at=eff,
        effective_date=THU, meters_changed=1, spaces=spaces, old_rate_per_hour=2.0, new_rate_per_hour=3.0,
        rate_change_pct=50.0, window_days=28, before_start_at=eff - dt.timedelta(hours=24),
        after_end_at=eff + dt.timedelta(hours=24), before_hours=24.0, after_hours=24.0,
        observed_hours_before=obs_b, observed_hours_after=obs_a, occupancy_before_pct=occ_b,
        occupancy_after_pct=occ_a, occupancy_change_pts=None if occ_b is None else occ_a - occ_b,
        meter_revenue_before=meter_b, meter_revenue_after=meter_a, session_revenue_before=sess_b,
        session_revenue_after=sess_a, revenue_per_space_hour_before=round(per_b, 6),
        revenue_per_space_hour_after=round(per_a, 6), revenue_per_space_hour_change_pct=round(100 * (per_a / per_b - 1), 6),
    )


# Z01 from $2 to $3 on 2025-11-20 05:00 EST: BF1 (2 spaces) and BF2 (6 spaces): $36 of revenue
# over 192 space-hours before (0.1875) and $60 after (0.3125): +66.7 %; occupancy 75 -> 100.
DEFAULT_PRICING = [
    _price("BF1", 2, 20.0, 28.0, 4.0, 8.0, 75.0, 100.0, 2, 1),
    _price("BF2", 6, 0.0, 0.0, 12.0, 24.0, None, None, 0, 0),
]


def _insert(con, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
    cols = [c for c, _ in SCHEMA[table]]
    rows = list(rows)
    unknown = {k for row in rows for k in row} - set(cols)
    if unknown:
        raise ValueError(f"{table}: unknown columns {sorted(unknown)}")
    if rows:
        con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in cols)})",
                        [[row.get(c) for c in cols] for row in rows])


def write_shift_ops_snapshot(
    path: str | os.PathLike[str],
    *,
    shifts: Sequence[Mapping[str, Any]] | None = None,
    comparisons: Sequence[Mapping[str, Any]] | None = None,
    tickets_by_type: Sequence[Mapping[str, Any]] | None = None,
    zones: Sequence[Mapping[str, Any]] | None = None,
    revenue: Sequence[Mapping[str, Any]] | None = None,
    occupancy: Sequence[Mapping[str, Any]] | None = None,
    uptime: Sequence[Mapping[str, Any]] | None = None,
    faults: Sequence[Mapping[str, Any]] | None = None,
    pricing: Sequence[Mapping[str, Any]] | None = None,
    omit: Iterable[str] = (),
    **base: Any,
) -> Path:
    """The base snapshot (``write_snapshot(**base)``) plus these marts, swapped in atomically.
    ``None`` = defaults (comparisons derived from the shifts), ``[]`` = empty table,
    ``omit`` = leave tables out."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.shiftops-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    write_snapshot(tmp, **base)
    shift_rows = list(default_shifts() if shifts is None else shifts)
    content = {
        "marts.dim_zones": list(DEFAULT_ZONES if zones is None else zones),
        "marts.fct_officer_shifts": shift_rows,
        "marts.fct_officer_shift_comparisons": list(comparisons_for(shift_rows) if comparisons is None else comparisons),
        "marts.fct_officer_shift_tickets_by_type": list(
            default_tickets_by_type(shift_rows) if tickets_by_type is None else tickets_by_type),
        "marts.fct_revenue_daily": list(DEFAULT_REVENUE if revenue is None else revenue),
        "marts.fct_occupancy_hourly": list(DEFAULT_OCCUPANCY if occupancy is None else occupancy),
        "marts.fct_meter_uptime_daily": list(DEFAULT_UPTIME if uptime is None else uptime),
        "marts.fct_meter_faults": list(DEFAULT_FAULTS if faults is None else faults),
        "marts.fct_pricing_changes": list(DEFAULT_PRICING if pricing is None else pricing),
    }
    omit = set(omit)
    if omit - set(SCHEMA):
        raise ValueError(f"unknown tables in omit: {sorted(omit - set(SCHEMA))}")
    con = duckdb.connect(str(tmp))
    try:
        con.execute("SET TimeZone = 'UTC'")
        for table, columns in SCHEMA.items():
            if table in omit:
                continue
            con.execute(f"CREATE OR REPLACE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns)})")
            _insert(con, table, content[table])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, path)
    return path
