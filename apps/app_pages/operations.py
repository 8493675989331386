"""Operations: revenue by zone and channel, occupancy by hour, meter uptime and faults,
and the effect of pricing changes.

Reads only the serving snapshot (``marts.fct_revenue_daily``,
``marts.fct_occupancy_hourly``, ``marts.fct_meter_uptime_daily``,
``marts.fct_meter_faults``, ``marts.fct_pricing_changes``, ``marts.dim_zones``,
``meta.snapshot_info``).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.express as px
import streamlit as st

from apps import serving, ui

DEFAULT_DAYS = 30
ALL = "__all__"

STREAM_LABELS = {"pay_by_plate": "Pay-by-plate", "meter": "Meters", "ticket_payment": "Ticket payments"}
SOURCE_LABELS = {"vendor_a": "vendor A", "vendor_b": "vendor B", "meters": "meter", "ticket_payments": "ticket"}


# --------------------------------------------------------------------------- #
# Pure helpers
# --------------------------------------------------------------------------- #


def channel_label(source: str, channel: str) -> str:
    """E.g. "Pay-by-plate vendor A · app", "Meters · coin", "Ticket payments · online"."""
    if source in ("vendor_a", "vendor_b"):
        return f"Pay-by-plate {SOURCE_LABELS[source]} · {channel}"
    if source == "meters":
        return f"Meters · {channel}"
    if source == "ticket_payments":
        return f"Ticket payments · {channel}"
    return f"{source} · {channel}"


def revenue_totals(revenue: pd.DataFrame) -> dict[str, float]:
    """Total and per revenue stream (dollars)."""
    amounts = pd.to_numeric(revenue["revenue"], errors="coerce").fillna(0.0)
    out = {"total": round(float(amounts.sum()), 2)}
    for stream in STREAM_LABELS:
        out[stream] = round(float(amounts[revenue["revenue_stream"] == stream].sum()), 2)
    return out


def revenue_by_zone_and_channel(revenue: pd.DataFrame) -> pd.DataFrame:
    """Zones as rows, channels as columns, dollars; with a Total column and row."""
    if revenue.empty:
        return pd.DataFrame()
    df = revenue.assign(channel_label=[channel_label(s, c) for s, c in zip(revenue["source"], revenue["channel"])])
    table = df.pivot_table(index="zone_id", columns="channel_label", values="revenue", aggfunc="sum", fill_value=0.0)
    table = table.reindex(sorted(table.columns), axis=1)
    table["Total"] = table.sum(axis=1)
    table = table.reindex(sorted(table.index, key=lambda z: (z == "-1", z)))  # unknown zone last
    table.loc["All zones"] = table.sum(axis=0)
    table.index = ["unknown zone" if z == "-1" else z for z in table.index]
    table.index.name = "Zone"
    table.columns.name = None
    return table.round(2)


def revenue_chart_frame(revenue: pd.DataFrame) -> pd.DataFrame:
    df = revenue.assign(channel=[channel_label(s, c) for s, c in zip(revenue["source"], revenue["channel"])])
    return df.groupby(["day", "channel"], as_index=False)["revenue"].sum()


def occupancy_matrix(occupancy: pd.DataFrame) -> pd.DataFrame:
    """Days as rows (oldest first), local hours 0-23 as columns, mean occupancy %."""
    if occupancy.empty:
        return pd.DataFrame()
    m = occupancy.pivot_table(index="day", columns="hour_of_day", values="occupancy_pct", aggfunc="mean")
    m = m.reindex(columns=range(24))
    m.index = [ui.format_day(d) for d in m.index]
    return m.round(1)


def fault_table(faults: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Meter": faults["meter_id"].tolist(),
            "Zone": faults["zone_id"].tolist(),
            "Blockface": faults["blockface_id"].tolist(),
            "Fault": faults["fault_code"].tolist(),
            "Started": [ui.format_local(t, "%Y-%m-%d %H:%M") for t in faults["fault_started_at"]],
            "Repaired": [ui.format_local(t, "%Y-%m-%d %H:%M") if not o else "open"
                         for t, o in zip(faults["repaired_at"], faults["is_open"])],
            "Hours out": pd.to_numeric(faults["duration_hours"], errors="coerce").round(1).tolist(),
        }
    )


def pricing_summary(changes: pd.DataFrame) -> pd.DataFrame:
    """One row per rate change (effective time, zone, old -> new rate) over its blockfaces:
    revenue per space-hour = total revenue / total space-hours in each window; occupancy =
    mean over the observed blockface-hours (weighted by observed hours)."""
    if changes.empty:
        return pd.DataFrame()
    df = changes.copy()
    for c in ("meter_revenue_before", "meter_revenue_after", "session_revenue_before", "session_revenue_after",
              "before_hours", "after_hours", "spaces", "observed_hours_before", "observed_hours_after",
              "occupancy_before_pct", "occupancy_after_pct"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    df["rev_b"] = df["meter_revenue_before"].fillna(0) + df["session_revenue_before"].fillna(0)
    df["rev_a"] = df["meter_revenue_after"].fillna(0) + df["session_revenue_after"].fillna(0)
    df["sh_b"] = df["spaces"].fillna(0) * df["before_hours"].fillna(0)
    df["sh_a"] = df["spaces"].fillna(0) * df["after_hours"].fillna(0)
    df["occ_b"] = df["occupancy_before_pct"] * df["observed_hours_before"]
    df["occ_a"] = df["occupancy_after_pct"] * df["observed_hours_after"]
    df["old"] = df["old_rate_per_hour"].astype(object).where(df["old_rate_per_hour"].notna(), None)
    rows = []
    keys = ["effective_at", "zone_id", "old", "new_rate_per_hour"]
    for (eff, zone, old, new), g in df.groupby(keys, dropna=False, sort=False):
        per_b = g["rev_b"].sum() / g["sh_b"].sum() if g["sh_b"].sum() > 0 else None
        per_a = g["rev_a"].sum() / g["sh_a"].sum() if g["sh_a"].sum() > 0 else None
        ob, oa = g["observed_hours_before"].sum(), g["observed_hours_after"].sum()
        occ_b = g["occ_b"].sum() / ob if ob > 0 else None
        occ_a = g["occ_a"].sum() / oa if oa > 0 else None
        rows.append({
            "Effective": ui.format_local(eff, "%Y-%m-%d %H:%M"),
            "Zone": zone,
            "Rate ($/h)": f"{'?' if ui.is_missing(old) else f'{float(old):.2f}'} → {float(new):.2f}",
            "Blockfaces": int(len(g)),
            "Days compared": f"{g['before_hours'].max() / 24:.1f} / {g['after_hours'].max() / 24:.1f}",
            "Occupancy before %": None if occ_b is None else round(occ_b, 1),
            "Occupancy after %": None if occ_a is None else round(occ_a, 1),
            "Occupancy Δ pts": None if occ_b is None or occ_a is None else round(occ_a - occ_b, 1),
            "$/space-hour before": None if per_b is None else round(per_b, 3),
            "$/space-hour after": None if per_a is None else round(per_a, 3),
            "Revenue Δ %": None if not per_b or per_a is None else round(100.0 * (per_a - per_b) / per_b, 1),
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- #
# Sections
# --------------------------------------------------------------------------- #


def render_filters(lo: dt.date, hi: dt.date) -> tuple[dt.date, dt.date, str | None]:
    zones = serving.operations_zones()
    c1, c2 = st.columns([3, 1])
    default_start = max(lo, hi - dt.timedelta(days=DEFAULT_DAYS - 1))
    with c1:
        picked = st.date_input("Dates", value=(default_start, hi), min_value=lo, max_value=hi, key="ops_dates",
                               help="Local days.")
    with c2:
        zone = st.selectbox("Zone", [ALL, *zones], format_func=lambda z: "All zones" if z == ALL else z,
                            key="ops_zone")
    if isinstance(picked, (tuple, list)):
        start, end = (picked[0], picked[-1]) if picked else (default_start, hi)
    else:
        start = end = picked
    return start, end, (None if zone == ALL else zone)


def render_revenue(start, end, zone, info) -> None:
    st.subheader("Revenue by zone and channel", anchor=False, divider="gray")
    try:
        revenue = serving.revenue_daily(start, end, zone)
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the revenue")
        return
    if revenue.empty:
        st.info("No revenue in this selection.")
        return
    totals = revenue_totals(revenue)
    cols = st.columns(4)
    cols[0].metric("Revenue", ui.format_value(totals["total"], "$"), border=True)
    for col, (stream, label) in zip(cols[1:], STREAM_LABELS.items()):
        col.metric(label, ui.format_value(totals[stream], "$"), border=True)
    chart = revenue_chart_frame(revenue)
    fig = px.bar(chart, x="day", y="revenue", color="channel", labels={"day": "Day", "revenue": "Revenue", "channel": ""})
    fig.update_layout(yaxis={"tickprefix": "$", "tickformat": ",.0f"}, xaxis_title=None,
                      margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=340)
    st.plotly_chart(fig, key="revenue_chart")
    st.dataframe(revenue_by_zone_and_channel(revenue), key="revenue_table")
    st.caption(ui.source_caption_text(
        "fct_revenue_daily", info,
        f"{ui.format_day(start)} to {ui.format_day(end)}; sessions by start day, meters by the meter's zone, "
        "ticket payments by the ticket's zone"))


def render_occupancy(start, end, zone, info) -> None:
    st.subheader("Occupancy by hour", anchor=False, divider="gray")
    try:
        occ = serving.occupancy_by_day_and_hour(start, end, zone)
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the occupancy")
        return
    matrix = occupancy_matrix(occ)
    if matrix.empty:
        st.info("No blockface was read in this selection.")
        return
    fig = px.imshow(matrix, aspect="auto", color_continuous_scale="YlOrRd", zmin=0, zmax=100,
                    labels={"x": "Hour of day (local)", "y": "Day", "color": "Occupancy %"})
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=max(260, 22 * len(matrix) + 80))
    st.plotly_chart(fig, key="occupancy_heatmap")
    st.caption(ui.source_caption_text(
        "fct_occupancy_hourly", info,
        "mean occupancy of the blockfaces read in each hour (distinct vehicles / spaces, capped at 100); "
        "blank = no patrol read"))


def render_meters(start, end, zone, info) -> None:
    st.subheader("Meter uptime and faults", anchor=False, divider="gray")
    try:
        uptime = serving.meter_uptime_daily(start, end, zone)
        faults = serving.meter_faults(start, end, zone)
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the meter figures")
        return
    if uptime.empty and faults.empty:
        st.info("No meters in this selection.")
        return
    meter_hours = float(pd.to_numeric(uptime["meter_hours"], errors="coerce").sum())
    fault_hours = float(pd.to_numeric(uptime["fault_hours"], errors="coerce").sum())
    period_uptime = 100.0 if fault_hours == 0 else (100.0 * (1 - fault_hours / meter_hours) if meter_hours else None)
    repaired = faults[~faults["is_open"].astype(bool)] if not faults.empty else faults
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Uptime", ui.format_value(period_uptime, "%"), border=True)
    c2.metric("Faults", ui.format_value(len(faults), "count"), border=True)
    c3.metric("Open faults", ui.format_value(int(faults["is_open"].astype(bool).sum()) if not faults.empty else 0,
                                             "count"), border=True)
    mean_repair = None if repaired.empty else float(pd.to_numeric(repaired["duration_hours"]).mean())
    c4.metric("Mean time to repair", ui.MISSING if mean_repair is None else f"{mean_repair:.1f} h", border=True)
    if not uptime.empty:
        fig = px.line(uptime.assign(day=pd.to_datetime(uptime["day"])), x="day", y="meter_uptime_pct", markers=True,
                      labels={"day": "Day", "meter_uptime_pct": "Uptime %"})
        fig.update_layout(yaxis={"ticksuffix": "%"}, xaxis_title=None, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                          height=260)
        st.plotly_chart(fig, key="uptime_chart")
    if faults.empty:
        st.info("No meter faults in this selection.")
    else:
        st.dataframe(fault_table(faults), key="fault_table", hide_index=True)
    st.caption(ui.source_caption_text(
        ["fct_meter_uptime_daily", "fct_meter_faults"], info,
        "uptime = meter-hours not inside a fault → repair interval; faults started in or still open during the dates"))


def render_pricing(zone, info) -> None:
    st.subheader("Pricing changes and their effect", anchor=False, divider="gray")
    try:
        changes = serving.pricing_changes(zone)
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the pricing changes")
        return
    if changes.empty:
        st.info("No meter rate changes in this snapshot.")
        return
    st.dataframe(pricing_summary(changes), key="pricing_table", hide_index=True)
    window = int(changes["window_days"].max())
    st.caption(ui.source_caption_text(
        "fct_pricing_changes", info,
        f"{window} days before vs after each change on the affected blockfaces (cut at the next change and the "
        "edges of the data); pay-by-plate revenue is per zone, allocated to paid blockfaces by spaces"))
    with st.expander("Per blockface"):
        detail = changes[["effective_date", "zone_id", "blockface_id", "spaces", "old_rate_per_hour",
                          "new_rate_per_hour", "occupancy_before_pct", "occupancy_after_pct",
                          "revenue_per_space_hour_before", "revenue_per_space_hour_after",
                          "revenue_per_space_hour_change_pct"]].copy()
        detail["effective_date"] = [ui.format_day(d) for d in detail["effective_date"]]
        st.dataframe(detail.round(3), key="pricing_detail", hide_index=True)


def main() -> None:
    info = ui.page_header("Operations")
    lo, hi = ui.read_or_stop(serving.operations_date_bounds, "the operations marts")
    if lo is None:
        st.info("No operations data in this snapshot yet.")
        render_pricing(None, info)
        st.stop()
    start, end, zone = render_filters(lo, hi)
    render_revenue(start, end, zone, info)
    render_occupancy(start, end, zone, info)
    render_meters(start, end, zone, info)
    render_pricing(zone, info)


main()
