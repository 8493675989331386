"""Overview: headline KPIs, the last 30 days, and the recent-activity feed.

Reads only the serving snapshot (``marts.fct_overview_kpis``,
``marts.fct_daily_kpis``, ``marts.fct_recent_activity``, ``meta.snapshot_info``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from apps import serving, ui

# --------------------------------------------------------------------------- #
# What the page shows (edit here to add a KPI, a chart metric or an activity type)
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class KpiSpec:
    kpi: str
    label: str  # fallback when the mart has no label
    # "normal": up is good (green), "inverse": up is bad (red), "off": neutral.
    delta_color: str
    daily_column: str | None  # fct_daily_kpis column for the tile's sparkline


KPI_GROUPS: dict[str, list[KpiSpec]] = {
    "Parking": [
        KpiSpec("revenue_today", "Revenue today", "normal", "revenue_total"),
        KpiSpec("meter_uptime", "Meter uptime", "normal", "meter_uptime_pct"),
        # More tickets is not a goal in itself (compliance is): neutral colour.
        KpiSpec("tickets_issued", "Tickets issued", "off", "tickets_issued"),
        # Occupancy has a target band (~85 %), neither direction is good per se.
        KpiSpec("avg_occupancy", "Avg occupancy", "off", "avg_occupancy_pct"),
    ],
    "Bylaw": [
        KpiSpec("open_cases", "Open cases", "inverse", "open_cases"),
        KpiSpec("avg_resolution_days", "Avg resolution time", "inverse", "avg_resolution_days"),
        KpiSpec("inspections_today", "Inspections today", "normal", "inspections"),
        KpiSpec("order_compliance", "Order compliance", "normal", "order_compliance_pct"),
    ],
}
GROUP_ICONS = {"Parking": ":material/local_parking:", "Bylaw": ":material/gavel:"}


@dataclass(frozen=True)
class ChartMetric:
    column: str
    label: str
    unit: str  # "$", "%", "count", "days"
    kind: str  # "bar" for flows (per-day totals), "line" for levels and rates


CHART_METRICS: list[ChartMetric] = [
    ChartMetric("revenue_total", "Revenue — total", "$", "bar"),
    ChartMetric("revenue_sessions", "Revenue — pay-by-plate sessions", "$", "bar"),
    ChartMetric("revenue_meters", "Revenue — meters", "$", "bar"),
    ChartMetric("revenue_ticket_payments", "Revenue — ticket payments", "$", "bar"),
    ChartMetric("meter_uptime_pct", "Meter uptime", "%", "line"),
    ChartMetric("tickets_issued", "Tickets issued", "count", "bar"),
    ChartMetric("avg_occupancy_pct", "Average occupancy", "%", "line"),
    ChartMetric("plate_reads", "Plate reads", "count", "bar"),
    ChartMetric("online_payments", "Online payments", "count", "bar"),
    ChartMetric("open_cases", "Open bylaw cases", "count", "line"),
    ChartMetric("avg_resolution_days", "Average resolution time", "days", "line"),
    ChartMetric("inspections", "Inspections", "count", "bar"),
    ChartMetric("order_compliance_pct", "Order compliance", "%", "line"),
    ChartMetric("complaints_received", "Complaints received", "count", "bar"),
]
CHART_DAYS = 30

ACTIVITY_TYPES: dict[str, tuple[str, str]] = {
    # activity_type: (icon, label)
    "alpr_violation_detected": (":material/photo_camera:", "ALPR violation"),
    "permit_approved": (":material/verified:", "Permit approved"),
    "meter_fault": (":material/build:", "Meter fault"),
    "online_payment": (":material/payments:", "Online payment"),
    "pricing_change": (":material/sell:", "Pricing change"),
    "complaint_received": (":material/campaign:", "Complaint"),
    "order_issued": (":material/gavel:", "Order issued"),
}
DEFAULT_ACTIVITY_ICON = ":material/radio_button_checked:"
FEED_LIMIT = 25


def activity_icon(activity_type: str) -> str:
    return ACTIVITY_TYPES.get(activity_type, (DEFAULT_ACTIVITY_ICON, ""))[0]


def activity_label(activity_type: str) -> str:
    known = ACTIVITY_TYPES.get(activity_type)
    return known[1] if known else activity_type.replace("_", " ").capitalize()


# --------------------------------------------------------------------------- #
# KPI tiles
# --------------------------------------------------------------------------- #


_MODEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _source_list(source_models: Any) -> str:
    """Each model name as a code span, keeping the mart's own structure, e.g.
    "fct_daily_kpis (stg_a, stg_b)" keeps its parentheses and commas."""
    if ui.is_missing(source_models) or not str(source_models).strip():
        return "not recorded"
    text = str(source_models).replace("`", "")
    return _MODEL_NAME.sub(lambda m: f"`{m.group(0)}`", text)


def _vs(baseline_label: Any) -> str | None:
    """``baseline_label`` phrased as a comparison: "vs. 30-day average"."""
    if ui.is_missing(baseline_label) or not str(baseline_label).strip():
        return None
    text = str(baseline_label).strip()
    return text if re.match(r"(?i)^(vs\b|versus\b|compared)", text) else f"vs. {text}"


def kpi_help(row: dict[str, Any]) -> str:
    unit = row.get("unit")
    vs = _vs(row.get("baseline_label"))
    lines = [f"As of **{ui.format_day(row.get('as_of_day'))}**."]
    if ui.is_missing(row.get("baseline_value")):
        lines.append("Baseline: not available" + (f" ({ui.md_escape(vs)})." if vs else "."))
    else:
        baseline = ui.md_escape(ui.format_value(row["baseline_value"], unit))
        lines.append(f"Baseline: **{baseline}**" + (f" ({ui.md_escape(vs)})." if vs else "."))
    lines.append(f"Source: {_source_list(row.get('source_models'))}.")
    return "  \n".join(lines)


def _sparkline(daily: pd.DataFrame | None, column: str | None) -> list[float] | None:
    if daily is None or daily.empty or not column or column not in daily.columns:
        return None
    values = pd.to_numeric(daily[column], errors="coerce").dropna().astype(float).tolist()
    return values if len(values) >= 2 else None


def render_kpi(spec: KpiSpec, row: dict[str, Any] | None, daily: pd.DataFrame | None) -> None:
    if row is None:
        st.metric(
            spec.label,
            ui.MISSING,
            help=f"`{spec.kpi}` is not in this snapshot.",
            border=True,
        )
        return
    label = row.get("label")
    label = spec.label if ui.is_missing(label) or not str(label).strip() else str(label)
    delta = ui.format_change_pct(row.get("change_pct"))
    zero = delta == "0.0%"
    st.metric(
        label,
        ui.format_value(row.get("value"), row.get("unit")),
        delta=delta,
        delta_color="off" if zero else spec.delta_color,
        delta_arrow="off" if zero else "auto",
        delta_description=None if delta is None else _vs(row.get("baseline_label")),
        help=kpi_help(row),
        border=True,
        chart_data=_sparkline(daily, spec.daily_column),
        chart_type="area",
    )


def render_kpis(kpis: pd.DataFrame, daily: pd.DataFrame | None) -> None:
    rows = {str(r["kpi"]): r for r in kpis.to_dict("records")}
    known: set[str] = set()
    for group, specs in KPI_GROUPS.items():
        st.subheader(group, anchor=False, divider="gray")
        for spec, col in zip(specs, st.columns(len(specs))):
            known.add(spec.kpi)
            with col:
                render_kpi(spec, rows.get(spec.kpi), daily)
    extra = [k for k in rows if k not in known]
    if extra:  # KPIs added to the mart before the page knows them
        st.subheader("Other", anchor=False, divider="gray")
        for kpi, col in zip(extra, st.columns(min(len(extra), 4))):
            with col:
                render_kpi(KpiSpec(kpi, kpi.replace("_", " ").capitalize(), "off", None), rows[kpi], None)


# --------------------------------------------------------------------------- #
# 30-day chart
# --------------------------------------------------------------------------- #


def daily_figure(daily: pd.DataFrame, metric: ChartMetric):
    df = pd.DataFrame(
        {
            "day": pd.to_datetime(daily["day"]),
            metric.column: pd.to_numeric(daily[metric.column], errors="coerce"),
        }
    )
    labels = {"day": "Day", metric.column: metric.label}
    if metric.kind == "bar":
        fig = px.bar(df, x="day", y=metric.column, labels=labels)
    else:
        fig = px.line(df, x="day", y=metric.column, labels=labels, markers=True)
    yaxis: dict[str, Any] = {"title": metric.label, "rangemode": "tozero"}
    if metric.unit == "$":
        yaxis.update(tickprefix="$", tickformat=",.0f")
    elif metric.unit == "%":
        yaxis.update(ticksuffix="%", range=[0, 100])
    elif metric.unit == "days":
        yaxis.update(ticksuffix=" d")
    fig.update_layout(
        yaxis=yaxis,
        xaxis_title=None,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        height=340,
    )
    return fig


def render_daily_chart(daily: pd.DataFrame | None) -> None:
    st.subheader(f"Last {CHART_DAYS} days", anchor=False, divider="gray")
    if daily is None:
        return
    if daily.empty:
        st.info("No daily figures in this snapshot yet.")
        return
    by_label = {m.label: m for m in CHART_METRICS if m.column in daily.columns}
    choice = st.selectbox("Metric", list(by_label), index=0, key="overview_chart_metric")
    metric = by_label[choice]
    st.plotly_chart(daily_figure(daily, metric), key="overview_chart")
    first, last = ui.format_day(daily["day"].iloc[0]), ui.format_day(daily["day"].iloc[-1])
    st.caption(f"{metric.label} per day, {first} to {last} (fct_daily_kpis). Gaps are days without data.")


# --------------------------------------------------------------------------- #
# Activity feed
# --------------------------------------------------------------------------- #


def feed_item_markdown(row: dict[str, Any]) -> str:
    activity_type = str(row.get("activity_type") or "")
    when = ui.format_local(row.get("activity_at"), "%Y-%m-%d %H:%M")
    first = f"{activity_icon(activity_type)} **{ui.md_escape(row.get('title')) or activity_label(activity_type)}**"
    meta = [when, ui.md_escape(activity_label(activity_type))]
    if not ui.is_missing(row.get("zone_id")):
        meta.append(f"zone {ui.md_escape(row['zone_id'])}")
    second = ui.md_escape(row.get("detail"))
    text = f"{first}  \n:gray[{' · '.join(meta)}]"
    return f"{text}  \n{second}" if second else text


def _ordered_types(present: list[str]) -> list[str]:
    order = list(ACTIVITY_TYPES)
    return sorted(present, key=lambda t: (order.index(t) if t in order else len(order), t))


def render_activity_feed() -> None:
    st.subheader("Recent activity", anchor=False, divider="gray")
    try:
        types = _ordered_types(serving.activity_types())
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the recent-activity feed")
        return
    selected = st.pills(
        "Filter by type",
        types,
        selection_mode="multi",
        format_func=lambda t: f"{activity_icon(t)} {activity_label(t)}",
        key="activity_filter",
    )
    try:
        feed = serving.recent_activity(types=selected or None, limit=FEED_LIMIT)
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the recent-activity feed")
        return
    scope = ", ".join(activity_label(t) for t in selected) if selected else "all types"
    st.caption(f"Latest {len(feed)} events ({scope}), newest first · times in Toronto local time")
    if feed.empty:
        st.info("No activity matches this filter.")
        return
    with st.container(height=560, border=True):
        for row in feed.to_dict("records"):
            st.markdown(feed_item_markdown(row))


# --------------------------------------------------------------------------- #
# Page
# --------------------------------------------------------------------------- #


def main() -> None:
    ui.page_header("Overview")

    try:
        daily: pd.DataFrame | None = serving.daily_kpis(days=CHART_DAYS)
    except serving.SnapshotMissing:
        ui.show_no_data()
        st.stop()
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the daily KPIs")
        daily = None

    try:
        kpis = serving.overview_kpis()
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the overview KPIs")
    else:
        if kpis.empty:
            st.info("The snapshot has no overview KPIs yet.")
        else:
            render_kpis(kpis, daily)

    chart_col, feed_col = st.columns([3, 2], gap="large")
    with chart_col:
        render_daily_chart(daily)
    with feed_col:
        render_activity_feed()


main()
