"""Shift analytics: how each parking-enforcement shift went, for supervisors.

Per shift: plates scanned, violations detected and detection rate, tickets issued (and
by type), route coverage and compliance rate, each against the team average of the
same day, the same weekday over the previous 8 weeks and the zone's 28-day average;
ALPR and manual (foot) enforcement side by side.

Reads only the serving snapshot (``marts.fct_officer_shifts``,
``marts.fct_officer_shift_comparisons``, ``marts.fct_officer_shift_tickets_by_type``,
``meta.snapshot_info``). Plates appear nowhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from apps import serving, ui

SHIFTS_MART = "fct_officer_shifts"
COMPARISONS_MART = "fct_officer_shift_comparisons"
BY_TYPE_MART = "fct_officer_shift_tickets_by_type"
DEFAULT_DAYS = 14
ALL = "__all__"

# Display columns of the shifts table: (source column, header, kind). kind: "pct" (0-100,
# one decimal), "pct2" (two decimals: detection rates are small), "count", "rate" (two
# decimals), "text".
SHIFT_TABLE_COLUMNS: list[tuple[str, str, str]] = [
    ("shift_date", "Date", "text"),
    ("start_local", "Start", "text"),
    ("end_local", "End", "text"),
    ("officer", "Officer", "text"),
    ("zone_id", "Zone", "text"),
    ("enforcement_type", "Enforcement", "text"),
    ("shift_hours", "Hours", "rate"),
    ("plates_scanned", "Plates scanned", "count"),
    ("violations_detected", "Violations detected", "count"),
    ("detection_rate_pct", "Detection rate %", "pct2"),
    ("tickets_issued", "Tickets", "count"),
    ("tickets_per_hour", "Tickets / h", "rate"),
    ("route_coverage_pct", "Route coverage %", "pct"),
    ("compliance_rate_pct", "Compliance %", "pct"),
]

COMPARISON_COLUMNS: list[tuple[str, str]] = [
    ("metric_label", "Metric"),
    ("value", "Shift"),
    ("team_day_avg", "Team avg (same day)"),
    ("team_day_delta", "Δ team"),
    ("weekday_avg", "Same weekday avg (8 wk)"),
    ("weekday_delta", "Δ weekday"),
    ("zone_avg", "Zone avg (28 d)"),
    ("zone_delta", "Δ zone"),
]

CHART_METRICS = {"detection_rate_pct": "Detection rate", "route_coverage_pct": "Route coverage"}


# --------------------------------------------------------------------------- #
# Pure helpers (unit-tested through the page)
# --------------------------------------------------------------------------- #


def officer_label(officer_id: Any, badge_number: Any) -> str:
    if ui.is_missing(officer_id):
        return ui.MISSING
    badge = None if ui.is_missing(badge_number) or badge_number == "unknown" else str(badge_number)
    return f"{badge} ({officer_id})" if badge else str(officer_id)


def _round(values: pd.Series, kind: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    if kind == "pct":
        return numbers.round(1)
    if kind in ("pct2", "rate"):
        return numbers.round(2)
    if kind == "count":
        return numbers.astype("Int64")
    return values


def shift_table(shifts: pd.DataFrame) -> pd.DataFrame:
    """The shifts as displayed: local times, officer as "badge (id)", rounded values."""
    df = shifts.copy()
    df["shift_date"] = [ui.format_day(d) for d in df["shift_date"]]
    df["start_local"] = [ui.format_local(t, "%H:%M") for t in df["shift_start"]]
    df["end_local"] = [ui.format_local(t, "%H:%M") for t in df["shift_end"]]
    df["officer"] = [officer_label(o, b) for o, b in zip(df["officer_id"], df["badge_number"])]
    out = pd.DataFrame({header: _round(df[col], kind) for col, header, kind in SHIFT_TABLE_COLUMNS})
    out.index = list(df["shift_id"])
    return out


def comparison_table(comparisons: pd.DataFrame) -> pd.DataFrame:
    """One shift's metrics against the three baselines: counts to one decimal (averages
    of counts), percentages and per-hour rates to two."""
    df = comparisons.sort_values("sort_order")
    out = pd.DataFrame({header: df[col].tolist() for col, header in COMPARISON_COLUMNS})
    digits = [1 if u == "count" else 2 for u in df["unit"]]
    for col, header in COMPARISON_COLUMNS[1:]:
        # "+ 0.0" turns a rounded -0.0 into 0.0
        out[header] = [None if ui.is_missing(v) else round(float(v), d) + 0.0 for v, d in zip(out[header], digits)]
    return out


def all_comparisons_table(comparisons: pd.DataFrame) -> pd.DataFrame:
    """Every filtered shift x metric with its three deltas (long form)."""
    df = comparisons.copy()
    return pd.DataFrame(
        {
            "Date": [ui.format_day(d) for d in df["shift_date"]],
            "Start": [ui.format_local(t, "%H:%M") for t in df["shift_start"]],
            "Officer": [officer_label(o, b) for o, b in zip(df["officer_id"], df["badge_number"])],
            "Zone": df["zone_id"].tolist(),
            "Metric": df["metric_label"].tolist(),
            "Shift": (pd.to_numeric(df["value"], errors="coerce").round(2) + 0.0).tolist(),
            "Δ team": (pd.to_numeric(df["team_day_delta"], errors="coerce").round(2) + 0.0).tolist(),
            "Δ weekday": (pd.to_numeric(df["weekday_delta"], errors="coerce").round(2) + 0.0).tolist(),
            "Δ zone": (pd.to_numeric(df["zone_delta"], errors="coerce").round(2) + 0.0).tolist(),
        }
    )


def _ratio(num: float, den: float, scale: float = 1.0) -> float | None:
    return None if not den else round(scale * num / den, 2)


def mode_summary(shifts: pd.DataFrame) -> pd.DataFrame:
    """ALPR and manual enforcement side by side over the filtered shifts.

    Totals are sums; per-hour figures are pooled (total / total hours); the detection
    rate is pooled too (detections / plates scanned); route coverage and compliance are
    the mean of the shifts' values (as the comparisons use)."""
    rows: dict[str, dict[str, Any]] = {}
    for label in ("ALPR", "manual"):
        df = shifts[shifts["enforcement_type"] == label]
        hours = float(pd.to_numeric(df["shift_hours"], errors="coerce").sum())
        tickets = float(pd.to_numeric(df["tickets_issued"], errors="coerce").sum())
        fines = float(pd.to_numeric(df["fines_issued"], errors="coerce").sum())
        detected = float(pd.to_numeric(df["violations_detected"], errors="coerce").sum())
        plates = pd.to_numeric(df["plates_scanned"], errors="coerce")
        coverage = pd.to_numeric(df["route_coverage_pct"], errors="coerce").dropna()
        compliance = pd.to_numeric(df["compliance_rate_pct"], errors="coerce").dropna()
        rows[label] = {
            "Shifts": len(df),
            "Hours": round(hours, 1),
            "Tickets issued": int(tickets),
            "Tickets per hour": _ratio(tickets, hours),
            "Fines issued ($)": round(fines, 2),
            "Fines per hour ($)": _ratio(fines, hours),
            "Violations detected": int(detected),
            "Detections per hour": _ratio(detected, hours),
            "Plates scanned": None if plates.dropna().empty else int(plates.sum()),
            "Detection rate %": None if plates.dropna().empty else _ratio(detected, float(plates.sum()), 100.0),
            "Route coverage % (mean)": None if coverage.empty else round(float(coverage.mean()), 1),
            "Compliance % (mean)": None if compliance.empty else round(float(compliance.mean()), 1),
        }
    table = pd.DataFrame(rows)
    table.index.name = "Measure"
    return table.astype(object).where(pd.notna(table), None)


def chart_frame(shifts: pd.DataFrame) -> pd.DataFrame:
    """Long frame for the detection-rate / coverage chart (ALPR shifts, oldest first)."""
    alpr = shifts[shifts["enforcement_type"] == "ALPR"].sort_values("shift_start")
    frames = []
    for col, label in CHART_METRICS.items():
        frames.append(
            pd.DataFrame(
                {
                    "shift_start": [ui.to_local(t).tz_localize(None) if ui.to_local(t) is not None else None
                                    for t in alpr["shift_start"]],
                    "value": pd.to_numeric(alpr[col], errors="coerce"),
                    "metric": label,
                    "shift": [f"{ui.format_day(d)} {officer_label(o, b)}"
                              for d, o, b in zip(alpr["shift_date"], alpr["officer_id"], alpr["badge_number"])],
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# --------------------------------------------------------------------------- #
# Page sections
# --------------------------------------------------------------------------- #


def _date_range(lo: dt.date, hi: dt.date) -> tuple[dt.date, dt.date]:
    default_start = max(lo, hi - dt.timedelta(days=DEFAULT_DAYS - 1))
    picked = st.date_input(
        "Dates", value=(default_start, hi), min_value=lo, max_value=hi, key="shift_dates",
        help="Local days on which the shifts started.",
    )
    if isinstance(picked, (tuple, list)):
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:
            return picked[0], picked[0]
        return default_start, hi
    return picked, picked


def render_filters(lo: dt.date, hi: dt.date) -> tuple[dt.date, dt.date, str | None, str | None]:
    officers = serving.shift_officers()
    labels = {ALL: "All officers"}
    labels.update({str(o): officer_label(o, b) for o, b in zip(officers["officer_id"], officers["badge_number"])})
    zones = serving.shift_zones()
    c1, c2, c3 = st.columns([2, 2, 1])
    with c1:
        start, end = _date_range(lo, hi)
    with c2:
        officer = st.selectbox("Officer", list(labels), format_func=labels.get, key="shift_officer")
    with c3:
        zone = st.selectbox("Zone", [ALL, *zones], format_func=lambda z: "All zones" if z == ALL else z,
                            key="shift_zone")
    return start, end, (None if officer == ALL else officer), (None if zone == ALL else zone)


def render_shift_table(shifts: pd.DataFrame, info: dict[str, Any] | None) -> None:
    st.subheader("Shifts", anchor=False, divider="gray")
    table = shift_table(shifts)
    config = {header: st.column_config.NumberColumn(format="%.2f%%" if kind == "pct2" else "%.1f%%")
              for _, header, kind in SHIFT_TABLE_COLUMNS if kind in ("pct", "pct2")}
    st.dataframe(table, key="shift_table", column_config=config, hide_index=True)
    st.caption(ui.source_caption_text(
        SHIFTS_MART, info,
        "times in Toronto local time · detections: " + "; ".join(sorted(set(shifts["detections_source"].dropna())))))


def render_comparisons(shifts: pd.DataFrame, start, end, officer, zone, info: dict[str, Any] | None) -> None:
    st.subheader("Against the team, the same weekday and the zone", anchor=False, divider="gray")
    options = list(shifts["shift_id"])
    by_id = {r["shift_id"]: r for r in shifts.to_dict("records")}

    def fmt(shift_id: str) -> str:
        r = by_id[shift_id]
        return (f"{ui.format_day(r['shift_date'])} {ui.format_local(r['shift_start'], '%H:%M')} · "
                f"{officer_label(r['officer_id'], r['badge_number'])} · {r['zone_id'] or ui.MISSING} · "
                f"{r['enforcement_type']}")

    picked = st.selectbox("Shift", options, format_func=fmt, key="shift_pick")
    try:
        comparisons = serving.shift_comparisons(start, end, officer, zone)
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the shift comparisons")
        return
    mine = comparisons[comparisons["shift_id"] == picked]
    if mine.empty:
        st.info("No comparisons for this shift.")
    else:
        st.dataframe(comparison_table(mine), key="shift_comparison", hide_index=True)
        row = by_id[picked]
        peers = "ALPR shifts" if row["enforcement_type"] == "ALPR" else "foot patrols"
        st.caption(ui.source_caption_text(
            COMPARISONS_MART, info,
            f"peers are {peers}; team = same day, weekday = same weekday in the 8 weeks before, "
            "zone = the zone's last 28 days; Δ = shift - average (points for %)"))
    with st.expander("Every filtered shift against its comparisons"):
        st.dataframe(all_comparisons_table(comparisons), key="shift_comparison_all", hide_index=True)


def render_chart(shifts: pd.DataFrame, info: dict[str, Any] | None) -> None:
    st.subheader("Detection rate and route coverage", anchor=False, divider="gray")
    frame = chart_frame(shifts)
    if frame.empty or frame["value"].dropna().empty:
        st.info("No ALPR shifts in this selection.")
        return
    fig = px.line(frame, x="shift_start", y="value", color="metric", markers=True,
                  hover_data={"shift": True}, labels={"shift_start": "Shift start", "value": "%", "metric": ""})
    fig.update_layout(yaxis={"ticksuffix": "%", "rangemode": "tozero"}, xaxis_title=None,
                      margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=320)
    st.plotly_chart(fig, key="shift_chart")
    st.caption(ui.source_caption_text(
        SHIFTS_MART, info, "ALPR shifts; detection rate = violations detected / plates scanned; "
        "coverage = share of the zone's spaces on blockfaces a read matched"))


def render_mode_comparison(shifts: pd.DataFrame, start, end, officer, zone, info: dict[str, Any] | None) -> None:
    st.subheader("ALPR versus manual enforcement", anchor=False, divider="gray")
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.dataframe(mode_summary(shifts), key="mode_summary")
        st.caption(ui.source_caption_text(
            SHIFTS_MART, info, "per-hour figures and the detection rate pooled over the shifts; "
            "coverage and compliance: mean of the shifts"))
    with right:
        try:
            by_type = serving.shift_tickets_by_type(start, end, officer, zone)
        except serving.SnapshotError as exc:
            ui.show_snapshot_error(exc, "the tickets by type")
            return
        if by_type.empty:
            st.info("No tickets in this selection.")
            return
        fig = px.bar(by_type, x="violation_type", y="tickets", color="enforcement_type", barmode="group",
                     labels={"violation_type": "Violation", "tickets": "Tickets", "enforcement_type": ""})
        fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=320)
        st.plotly_chart(fig, key="tickets_by_type_chart")
        st.caption(ui.source_caption_text(BY_TYPE_MART, info, "tickets written in the selected shifts"))


def main() -> None:
    info = ui.page_header("Shift analytics")
    lo, hi = ui.read_or_stop(serving.shift_date_bounds, "the shift analytics")
    if lo is None:
        st.info("No parking-enforcement shifts in this snapshot yet.")
        st.stop()

    start, end, officer, zone = render_filters(lo, hi)
    try:
        shifts = serving.officer_shifts(start, end, officer, zone)
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the shifts")
        st.stop()
    if shifts.empty:
        st.info("No shifts match this selection.")
        st.stop()

    render_shift_table(shifts, info)
    render_comparisons(shifts, start, end, officer, zone, info)
    render_chart(shifts, info)
    render_mode_comparison(shifts, start, end, officer, zone, info)


main()
