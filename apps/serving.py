"""Read access to the serving snapshot: the only data the apps ever open.

The pipeline owns the warehouse DuckDB file (one writer). After each run it
publishes a *serving snapshot*: a separate DuckDB file that it swaps in
atomically with ``os.replace``. The apps open that snapshot read-only, so a
dashboard keeps working while the pipeline runs or fails.

Location: ``$CIVIC_SERVING_PATH`` if set, else
``$CIVIC_DATA_DIR/serving/civic_serving.duckdb`` (``CIVIC_DATA_DIR`` defaults to
``./data``).

Caching:

* one read-only connection per snapshot *version* (``st.cache_resource``), where
  the version is the file's inode, mtime and size. When the pipeline replaces the
  file, the version changes, the old connection is closed and a new one opened.
  (DuckDB keeps one database instance per path per process, so the old
  connection must be closed first, otherwise the "new" connection would still
  see the replaced file.)
* query results (``st.cache_data(ttl=60)``), keyed on the snapshot version as
  well, so a new snapshot shows at once and an unchanged one is re-read at most
  once a minute.

Everything here is a plain function usable outside a Streamlit page too (the
Streamlit caches fall back to in-memory storage without a running server).
"""

from __future__ import annotations

import decimal
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import duckdb
import pandas as pd
import streamlit as st

SERVING_PATH_ENV = "CIVIC_SERVING_PATH"
DATA_DIR_ENV = "CIVIC_DATA_DIR"
DEFAULT_DATA_DIR = "./data"
SERVING_RELATIVE_PATH = Path("serving") / "civic_serving.duckdb"

LOCAL_TZ = "America/Toronto"
QUERY_TTL_SECONDS = 60

NO_DATA_MESSAGE = "No data published yet — run `civic pipeline run`"


class SnapshotError(Exception):
    """The serving snapshot cannot be used."""


class SnapshotMissing(SnapshotError):
    """No serving snapshot has been published at the expected path."""

    def __init__(self, path: Path):
        super().__init__(f"No serving snapshot at {path}")
        self.path = path


class SnapshotUnreadable(SnapshotError):
    """The snapshot exists but cannot be opened or lacks what was asked for."""


# --------------------------------------------------------------------------- #
# Locating the snapshot
# --------------------------------------------------------------------------- #


def snapshot_path() -> Path:
    """Where the serving snapshot is expected (it may not exist yet)."""
    explicit = os.environ.get(SERVING_PATH_ENV)
    if explicit:
        return Path(explicit).expanduser().absolute()
    data_dir = os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    return (Path(data_dir).expanduser() / SERVING_RELATIVE_PATH).absolute()


@dataclass(frozen=True)
class SnapshotVersion:
    """Identity of one published snapshot file (changes when it is replaced)."""

    path: str
    inode: int
    mtime_ns: int
    size: int


def snapshot_version(path: Path | None = None) -> SnapshotVersion | None:
    """The current version of the snapshot file, or None if there is none."""
    p = path or snapshot_path()
    try:
        st_ = os.stat(p)
    except FileNotFoundError:
        return None
    if not os.path.isfile(p):
        return None
    return SnapshotVersion(str(p), st_.st_ino, st_.st_mtime_ns, st_.st_size)


def snapshot_exists(path: Path | None = None) -> bool:
    return snapshot_version(path) is not None


# --------------------------------------------------------------------------- #
# Connection (one per snapshot version)
# --------------------------------------------------------------------------- #


def _close_quietly(conn: duckdb.DuckDBPyConnection) -> None:
    try:
        conn.close()
    except Exception:  # noqa: BLE001 - closing a dead connection is not an error
        pass


@st.cache_resource(show_spinner=False, max_entries=8, on_release=_close_quietly)
def _open_connection(
    path: str, inode: int, mtime_ns: int, size: int
) -> duckdb.DuckDBPyConnection:
    # inode/mtime_ns/size are only part of the cache key.
    try:
        return duckdb.connect(path, read_only=True)
    except duckdb.Error as exc:
        raise SnapshotUnreadable(f"Cannot open serving snapshot {path}: {exc}") from exc


_swap_lock = threading.Lock()
_current: dict[str, SnapshotVersion] = {}


def get_connection(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """The shared read-only connection to the current snapshot.

    Raises SnapshotMissing when no snapshot has been published. Use a cursor
    (``conn.cursor()``) per query when sharing it between threads; ``query()``
    does that for you.
    """
    p = path or snapshot_path()
    with _swap_lock:
        version = snapshot_version(p)
        if version is None:
            raise SnapshotMissing(p)
        previous = _current.get(version.path)
        if previous is not None and previous != version:
            # The file was replaced: close the old connection before opening the
            # new one (DuckDB would otherwise hand back the old database instance).
            _open_connection.clear(
                previous.path, previous.inode, previous.mtime_ns, previous.size
            )
        _current[version.path] = version
        return _open_connection(version.path, version.inode, version.mtime_ns, version.size)


def _run(path: Path, sql: str, params: Sequence[Any] | None) -> pd.DataFrame:
    for attempt in range(2):
        conn = get_connection(path)
        try:
            cur = conn.cursor()
            try:
                rel = cur.sql(sql, params=list(params) if params else None)
                if rel is None:  # a statement without a result
                    return pd.DataFrame()
                return rel.to_arrow_table().to_pandas()
            finally:
                cur.close()
        except duckdb.ConnectionException:
            # Another thread saw a newer snapshot and closed this connection while
            # we were using it: reopen on the current file and try once more.
            if attempt:
                raise
        except duckdb.Error as exc:
            raise SnapshotUnreadable(str(exc)) from exc
    raise AssertionError("unreachable")


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def _cached_query(
    version: tuple[str, int, int, int], sql: str, params: tuple[Any, ...] | None
) -> pd.DataFrame:
    # ``version`` (path, inode, mtime, size) is part of the cache key, so a newly
    # published snapshot is read at once instead of after the TTL.
    return _run(Path(version[0]), sql, params)


def query(sql: str, params: Sequence[Any] | None = None, path: Path | None = None) -> pd.DataFrame:
    """Run a read-only query against the current snapshot (cached for 60 s).

    TIMESTAMPTZ columns come back as tz-aware UTC pandas timestamps, DATE
    columns as ``datetime.date`` objects. Raises SnapshotMissing when no
    snapshot is published, SnapshotUnreadable when the query fails (e.g. a
    table the snapshot does not have).
    """
    p = path or snapshot_path()
    version = snapshot_version(p)
    if version is None:
        raise SnapshotMissing(p)
    key = (version.path, version.inode, version.mtime_ns, version.size)
    return _cached_query(key, sql, tuple(params) if params else None)


def clear_caches() -> None:
    """Drop cached query results and connections (tests, manual refresh)."""
    _cached_query.clear()
    with _swap_lock:
        _open_connection.clear()
        _current.clear()


# --------------------------------------------------------------------------- #
# Typed reads of the published marts
# --------------------------------------------------------------------------- #

KPI_COLUMNS = (
    "kpi, label, value, unit, as_of_day, baseline_value, baseline_label, "
    "change_pct, source_models"
)

DAILY_KPI_COLUMNS = (
    "day",
    "revenue_sessions",
    "revenue_meters",
    "revenue_ticket_payments",
    "revenue_total",
    "meter_uptime_pct",
    "tickets_issued",
    "avg_occupancy_pct",
    "open_cases",
    "avg_resolution_days",
    "inspections",
    "order_compliance_pct",
    "complaints_received",
    "plate_reads",
    "online_payments",
)


def overview_kpis(path: Path | None = None) -> pd.DataFrame:
    """``marts.fct_overview_kpis``: one row per headline KPI."""
    return query(f"SELECT {KPI_COLUMNS} FROM marts.fct_overview_kpis", path=path)


def daily_kpis(days: int = 30, path: Path | None = None) -> pd.DataFrame:
    """The last ``days`` days of ``marts.fct_daily_kpis`` (counted back from the
    latest day in the mart, not from today), oldest first."""
    cols = ", ".join(DAILY_KPI_COLUMNS)
    return query(
        f"""
        SELECT {cols}
        FROM marts.fct_daily_kpis
        WHERE day > (SELECT max(day) FROM marts.fct_daily_kpis) - CAST(? AS INTEGER)
        ORDER BY day
        """,
        [int(days)],
        path=path,
    )


def recent_activity(
    types: Sequence[str] | None = None, limit: int = 25, path: Path | None = None
) -> pd.DataFrame:
    """The newest ``limit`` rows of ``marts.fct_recent_activity``, newest first,
    optionally only the given activity types."""
    where = ""
    params: list[Any] = []
    if types:
        where = "WHERE activity_type IN (" + ", ".join("?" for _ in types) + ")"
        params.extend(types)
    params.append(int(limit))
    return query(
        f"""
        SELECT activity_at, activity_type, title, detail, zone_id, source_model
        FROM marts.fct_recent_activity
        {where}
        ORDER BY activity_at DESC, activity_type, title
        LIMIT ?
        """,
        params,
        path=path,
    )


def activity_types(path: Path | None = None) -> list[str]:
    """Activity types present in the feed."""
    df = query(
        "SELECT DISTINCT activity_type FROM marts.fct_recent_activity ORDER BY 1", path=path
    )
    return [str(t) for t in df["activity_type"].dropna()]


def decimals_as_numbers(df: pd.DataFrame) -> pd.DataFrame:
    """DuckDB's sums of integers (HUGEINT) arrive as Decimal: as plain floats."""
    df = df.copy()
    for col in df.columns:
        if df[col].dtype == object and any(isinstance(v, decimal.Decimal) for v in df[col].dropna().head(1)):
            df[col] = pd.to_numeric(df[col].map(lambda v: None if v is None else float(v)))
    return df


def snapshot_info(path: Path | None = None) -> dict[str, Any] | None:
    """The one row of ``meta.snapshot_info`` as a dict, or None if empty."""
    df = query(
        "SELECT published_at, run_id, data_as_of, pipeline_started_at "
        "FROM meta.snapshot_info ORDER BY published_at DESC LIMIT 1",
        path=path,
    )
    if df.empty:
        return None
    row = df.iloc[0].to_dict()
    return {k: (None if _isna(v) else v) for k, v in row.items()}


def source_freshness(path: Path | None = None) -> pd.DataFrame:
    """``meta.source_freshness``: per source, latest delivery and row counts."""
    return query(
        "SELECT source, latest_delivery, rows_landed, rows_quarantined "
        "FROM meta.source_freshness ORDER BY source",
        path=path,
    )


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- #
# Shift analytics (fct_officer_shifts and companions) and operations marts
# --------------------------------------------------------------------------- #


def _where(
    conditions: Sequence[tuple[str, Any]], date_column: str | None = None,
    start: Any = None, end: Any = None,
) -> tuple[str, list[Any]]:
    """A WHERE clause from ``(sql with one ?, value)`` pairs whose value is not
    None, plus an inclusive date range on ``date_column``."""
    parts: list[str] = []
    params: list[Any] = []
    if date_column and start is not None:
        parts.append(f"{date_column} >= CAST(? AS DATE)")
        params.append(str(start))
    if date_column and end is not None:
        parts.append(f"{date_column} <= CAST(? AS DATE)")
        params.append(str(end))
    for sql, value in conditions:
        if value is not None:
            parts.append(sql)
            params.append(value)
    return ("WHERE " + " AND ".join(parts)) if parts else "", params


SHIFT_COLUMNS = (
    "shift_id, shift_date, weekday, weekday_name, shift_start, shift_end, shift_hours, "
    "officer_id, badge_number, zone_id, mode, enforcement_type, unit_id, plates_scanned, "
    "vehicles_observed, violations_detected, detection_rate_pct, tickets_issued, tickets_alpr, "
    "tickets_manual, tickets_mail, fines_issued, tickets_per_hour, blockfaces_passed, "
    "zone_blockfaces_passed, zone_spaces_passed, zone_spaces, route_coverage_pct, "
    "compliance_rate_pct, detections_source"
)


def shift_date_bounds(path: Path | None = None) -> tuple[Any, Any]:
    """First and last ``shift_date`` in ``marts.fct_officer_shifts`` (None, None if empty)."""
    df = query("SELECT min(shift_date) AS lo, max(shift_date) AS hi FROM marts.fct_officer_shifts", path=path)
    lo, hi = df.iloc[0]["lo"], df.iloc[0]["hi"]
    return (None if _isna(lo) else lo, None if _isna(hi) else hi)


def shift_officers(path: Path | None = None) -> pd.DataFrame:
    """Officers who worked a parking shift: officer_id, badge_number."""
    return query(
        "SELECT officer_id, any_value(badge_number) AS badge_number FROM marts.fct_officer_shifts "
        "WHERE officer_id IS NOT NULL GROUP BY officer_id ORDER BY any_value(badge_number), officer_id",
        path=path,
    )


def shift_zones(path: Path | None = None) -> list[str]:
    df = query(
        "SELECT DISTINCT zone_id FROM marts.fct_officer_shifts WHERE zone_id IS NOT NULL ORDER BY 1",
        path=path,
    )
    return [str(z) for z in df["zone_id"]]


def _shift_filters(start, end, officer_id, zone_id, prefix: str = "") -> tuple[str, list[Any]]:
    return _where(
        [(f"{prefix}officer_id = ?", officer_id), (f"{prefix}zone_id = ?", zone_id)],
        f"{prefix}shift_date", start, end,
    )


def officer_shifts(
    start: Any = None, end: Any = None, officer_id: str | None = None, zone_id: str | None = None,
    path: Path | None = None,
) -> pd.DataFrame:
    """``marts.fct_officer_shifts`` in a date range (inclusive, local days), optionally
    one officer / zone; latest shift first."""
    where, params = _shift_filters(start, end, officer_id, zone_id)
    return query(
        f"SELECT {SHIFT_COLUMNS} FROM marts.fct_officer_shifts {where} "
        "ORDER BY shift_start DESC, shift_id",
        params, path=path,
    )


def shift_comparisons(
    start: Any = None, end: Any = None, officer_id: str | None = None, zone_id: str | None = None,
    shift_id: str | None = None, path: Path | None = None,
) -> pd.DataFrame:
    """``marts.fct_officer_shift_comparisons`` for the shifts of ``officer_shifts``
    with the same filters (or one ``shift_id``), by shift then metric order."""
    where, params = _shift_filters(start, end, officer_id, zone_id, prefix="s.")
    if shift_id is not None:
        where = (where + " AND " if where else "WHERE ") + "c.shift_id = ?"
        params.append(shift_id)
    return query(
        f"""
        SELECT c.shift_id, c.shift_date, c.mode, c.zone_id, s.officer_id, s.badge_number, s.shift_start,
               c.metric, c.metric_label, c.unit, c.better_direction, c.sort_order, c.value,
               c.team_day_avg, c.team_day_shifts, c.team_day_delta,
               c.weekday_avg, c.weekday_shifts, c.weekday_delta,
               c.zone_avg, c.zone_shifts, c.zone_delta
        FROM marts.fct_officer_shift_comparisons AS c
        JOIN marts.fct_officer_shifts AS s USING (shift_id)
        {where}
        ORDER BY s.shift_start DESC, c.shift_id, c.sort_order
        """,
        params, path=path,
    )


def shift_tickets_by_type(
    start: Any = None, end: Any = None, officer_id: str | None = None, zone_id: str | None = None,
    path: Path | None = None,
) -> pd.DataFrame:
    """Tickets by enforcement type (ALPR / manual) and violation type for the
    filtered shifts (``marts.fct_officer_shift_tickets_by_type``)."""
    where, params = _shift_filters(start, end, officer_id, zone_id)
    return query(
        f"""
        SELECT enforcement_type, violation_type, sum(tickets) AS tickets, sum(fines_issued) AS fines_issued
        FROM marts.fct_officer_shift_tickets_by_type
        {where}
        GROUP BY ALL
        ORDER BY enforcement_type, tickets DESC, violation_type
        """,
        params, path=path,
    )


def operations_date_bounds(path: Path | None = None) -> tuple[Any, Any]:
    """First and last day of the operations marts (revenue, occupancy, meter uptime)."""
    df = query(
        """
        SELECT min(lo) AS lo, max(hi) AS hi FROM (
            SELECT min(day) AS lo, max(day) AS hi FROM marts.fct_revenue_daily
            UNION ALL SELECT min(day), max(day) FROM marts.fct_occupancy_hourly
            UNION ALL SELECT min(day), max(day) FROM marts.fct_meter_uptime_daily
        )
        """,
        path=path,
    )
    lo, hi = df.iloc[0]["lo"], df.iloc[0]["hi"]
    return (None if _isna(lo) else lo, None if _isna(hi) else hi)


def operations_zones(path: Path | None = None) -> list[str]:
    """Zones of the operations marts (dim_zones without the unknown member)."""
    df = query("SELECT zone_id FROM marts.dim_zones WHERE NOT is_unknown ORDER BY zone_id", path=path)
    return [str(z) for z in df["zone_id"]]


def revenue_daily(
    start: Any = None, end: Any = None, zone_id: str | None = None, path: Path | None = None
) -> pd.DataFrame:
    """``marts.fct_revenue_daily`` rows in a date range, optionally one zone."""
    where, params = _where([("zone_id = ?", zone_id)], "day", start, end)
    return query(
        f"SELECT day, zone_id, revenue_stream, source, channel, transactions, revenue "
        f"FROM marts.fct_revenue_daily {where} ORDER BY day, zone_id, revenue_stream, source, channel",
        params, path=path,
    )


def occupancy_by_day_and_hour(
    start: Any = None, end: Any = None, zone_id: str | None = None, path: Path | None = None
) -> pd.DataFrame:
    """Mean occupancy over observed blockface-hours per local day and hour of day
    (``marts.fct_occupancy_hourly``), with the number of blockface-hours."""
    where, params = _where([("zone_id = ?", zone_id)], "day", start, end)
    return query(
        f"""
        SELECT day, hour_of_day, avg(occupancy_pct) AS occupancy_pct, count(*) AS blockface_hours
        FROM marts.fct_occupancy_hourly {where}
        GROUP BY day, hour_of_day ORDER BY day, hour_of_day
        """,
        params, path=path,
    )


def meter_uptime_daily(
    start: Any = None, end: Any = None, zone_id: str | None = None, path: Path | None = None
) -> pd.DataFrame:
    """Meter uptime per day over the zones selected (all, or one): meters, meter-hours,
    fault hours and uptime = 100 * (1 - fault hours / meter-hours)."""
    where, params = _where([("zone_id = ?", zone_id)], "day", start, end)
    return query(
        f"""
        SELECT day, sum(meters_in_service) AS meters_in_service, sum(meter_hours) AS meter_hours,
               sum(fault_hours) AS fault_hours, sum(faults_started) AS faults_started, sum(repairs) AS repairs,
               CASE WHEN sum(fault_hours) = 0 THEN 100.0
                    WHEN sum(meter_hours) > 0 THEN greatest(0.0, 100.0 * (1 - sum(fault_hours) / sum(meter_hours)))
               END AS meter_uptime_pct
        FROM marts.fct_meter_uptime_daily {where}
        GROUP BY day ORDER BY day
        """,
        params, path=path,
    )


def meter_faults(
    start: Any = None, end: Any = None, zone_id: str | None = None, path: Path | None = None
) -> pd.DataFrame:
    """Meter faults that started in the date range or were still open in it, newest first."""
    parts, params = [], []
    if start is not None:
        parts.append(f"(fault_ended_at IS NULL OR CAST(timezone('{LOCAL_TZ}', fault_ended_at) AS DATE) >= CAST(? AS DATE))")
        params.append(str(start))
    if end is not None:
        parts.append("fault_date <= CAST(? AS DATE)")
        params.append(str(end))
    if zone_id is not None:
        parts.append("zone_id = ?")
        params.append(zone_id)
    where = ("WHERE " + " AND ".join(parts)) if parts else ""
    return query(
        f"""
        SELECT fault_id, meter_id, zone_id, blockface_id, fault_code, fault_started_at, fault_date,
               repaired_at, fault_ended_at, is_open, duration_hours, fault_reports
        FROM marts.fct_meter_faults {where}
        ORDER BY fault_started_at DESC, fault_id
        """,
        params, path=path,
    )


PRICING_COLUMNS = (
    "pricing_change_id, blockface_id, zone_id, effective_at, effective_date, meters_changed, spaces, "
    "old_rate_per_hour, new_rate_per_hour, rate_change_pct, window_days, before_start_at, after_end_at, "
    "before_hours, after_hours, observed_hours_before, observed_hours_after, occupancy_before_pct, "
    "occupancy_after_pct, occupancy_change_pts, meter_revenue_before, meter_revenue_after, "
    "session_revenue_before, session_revenue_after, revenue_per_space_hour_before, "
    "revenue_per_space_hour_after, revenue_per_space_hour_change_pct"
)


def pricing_changes(zone_id: str | None = None, path: Path | None = None) -> pd.DataFrame:
    """``marts.fct_pricing_changes`` (all dates: a change's effect spans weeks), newest first."""
    where, params = _where([("zone_id = ?", zone_id)])
    return query(
        f"SELECT {PRICING_COLUMNS} FROM marts.fct_pricing_changes {where} "
        "ORDER BY effective_at DESC, zone_id, blockface_id",
        params, path=path,
    )


# --------------------------------------------------------------------------- #
# Officer review queue (enforcement.enf_review_queue: plates in clear, for officers)
# --------------------------------------------------------------------------- #

REVIEW_QUEUE_COLUMNS = (
    "read_id, plate, province, captured_at, captured_date, lat, lon, confidence, image_ref, camera_id, "
    "unit_id, detected_by_officer_id, blockface_id, zone_id, street, side, street_address, violation_type, "
    "violation_types, bylaw_code, fine_amount, reason, reasons, is_scofflaw, scofflaw_unpaid_tickets, "
    "scofflaw_unpaid_total, first_read_at, last_read_at, minutes_since_first_read, time_limit_minutes"
)


def review_queue(
    start: Any = None, end: Any = None, zone_id: str | None = None, violation_type: str | None = None,
    path: Path | None = None,
) -> pd.DataFrame:
    """Detections awaiting review (``enforcement.enf_review_queue``) in a range of local
    capture days, optionally one zone / violation type; oldest first. Decisions made in the
    ops database since the snapshot are not taken out here (the page does that)."""
    where, params = _where([("zone_id = ?", zone_id), ("violation_type = ?", violation_type)],
                           "captured_date", start, end)
    return query(
        f"SELECT {REVIEW_QUEUE_COLUMNS} FROM enforcement.enf_review_queue {where} ORDER BY captured_at, read_id",
        params, path=path,
    )


def review_queue_options(path: Path | None = None) -> dict[str, Any]:
    """What the queue's filters offer: zones, violation types, first and last capture day."""
    df = query(
        "SELECT list(DISTINCT zone_id ORDER BY zone_id) FILTER (WHERE zone_id IS NOT NULL) AS zones, "
        "list(DISTINCT violation_type ORDER BY violation_type) AS violation_types, "
        "min(captured_date) AS lo, max(captured_date) AS hi FROM enforcement.enf_review_queue",
        path=path,
    )
    row = df.iloc[0]
    return {"zones": [str(z) for z in (row["zones"] if row["zones"] is not None else [])],
            "violation_types": [str(v) for v in (row["violation_types"] if row["violation_types"] is not None else [])],
            "start": None if _isna(row["lo"]) else row["lo"], "end": None if _isna(row["hi"]) else row["hi"]}


def parking_officers(path: Path | None = None) -> pd.DataFrame:
    """Active parking officers (``marts.dim_officers``): officer_id, badge_number."""
    return query(
        "SELECT officer_id, badge_number FROM marts.dim_officers "
        "WHERE unit = 'parking' AND is_active AND NOT is_unknown ORDER BY badge_number, officer_id",
        path=path,
    )
