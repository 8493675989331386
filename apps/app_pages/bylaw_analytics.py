"""Bylaw analytics for managers: SLA breaches and aging, outcomes, order compliance,
officer productivity, fines issued and collected, remediation costs and their recovery,
cost per case, complaint trends year over year and emerging issues.

Reads only the serving snapshot (``marts.fct_case_lifecycle``, ``marts.fct_bylaw_*``,
``meta.snapshot_info``); no complainant identity is in any of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from apps import serving, ui

ALL = "__all__"
DEFAULT_DAYS = 365
MARGIN = {"l": 10, "r": 10, "t": 10, "b": 10}
BUCKETS = ["0-7 days", "8-30 days", "31-90 days", "91-180 days", "over 180 days"]
OUTCOMES = {"voluntary_compliance": "Voluntary compliance", "order_compliance": "Order compliance",
            "remediation": "Remediation", "prosecution": "Prosecution", "dismissed": "Dismissed"}
NOTICE_LABELS = {"compliance_notice": "Compliance notice", "order_to_comply": "Order to comply",
                 "amp": "AMP", "part_i_ticket": "Part I ticket"}


# --------------------------------------------------------------------------- #
# Reading (filters as SQL)
# --------------------------------------------------------------------------- #


def where(date_col: str | None, start: Any, end: Any, bylaw_type: str | None, ward: str | None,
          month: bool = False) -> tuple[str, list[Any]]:
    """A WHERE clause for the period (a day column, or a month column: months overlapping
    the period), the bylaw type and the ward (None = all; a column left out when None)."""
    parts, params = [], []
    if date_col and start is not None:
        parts.append(f"{date_col} >= " + ("date_trunc('month', CAST(? AS DATE))" if month else "CAST(? AS DATE)"))
        params.append(start)
    if date_col and end is not None:
        parts.append(f"{date_col} <= CAST(? AS DATE)")
        params.append(end)
    if bylaw_type:
        parts.append("bylaw_type = ?")
        params.append(bylaw_type)
    if ward:
        parts.append("ward = ?")
        params.append(ward)
    return ("WHERE " + " AND ".join(parts)) if parts else "", params


def read(sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    """A query on the snapshot; DuckDB's sums of integers (HUGEINT, read as Decimal) as numbers."""
    return serving.decimals_as_numbers(serving.query(sql, params or []))


def bounds() -> tuple[Any, Any]:
    df = read("""
        SELECT least(min(opened_date), (SELECT min(month) FROM marts.fct_bylaw_complaint_trends WHERE complaints > 0)) AS lo,
               max(as_of_date) AS hi
        FROM marts.fct_case_lifecycle""")
    lo, hi = df.iloc[0]["lo"], df.iloc[0]["hi"]
    return (None if ui.is_missing(lo) else pd.Timestamp(lo).date(), None if ui.is_missing(hi) else pd.Timestamp(hi).date())


def options() -> tuple[list[str], list[str]]:
    types = read("SELECT DISTINCT bylaw_type FROM marts.fct_case_lifecycle WHERE bylaw_type IS NOT NULL ORDER BY 1")
    wards = read("SELECT DISTINCT ward FROM marts.fct_case_lifecycle WHERE ward IS NOT NULL ORDER BY 1")
    return [str(t) for t in types["bylaw_type"]], [str(w) for w in wards["ward"]]


def pct(num: float, den: float) -> float | None:
    return None if ui.is_missing(den) or not den else round(100.0 * float(num) / float(den), 1)


def money(v: Any) -> str:
    return ui.format_value(0.0 if ui.is_missing(v) else float(v), "$")


# --------------------------------------------------------------------------- #
# Sections
# --------------------------------------------------------------------------- #


def render_filters(lo: dt.date, hi: dt.date, types: list[str], wards: list[str]):
    c1, c2, c3 = st.columns([2, 1, 1])
    default_start = max(lo, hi - dt.timedelta(days=DEFAULT_DAYS - 1))
    with c1:
        picked = st.date_input("Period", value=(default_start, hi), min_value=lo, max_value=hi, key="bylaw_dates",
                               help="Local days: cases by the day they were opened, notices and fines by "
                                    "issue, works by order, complaints by receipt.")
    with c2:
        btype = st.selectbox("Bylaw type", [ALL, *types], key="bylaw_type",
                             format_func=lambda t: "All bylaw types" if t == ALL else t.replace("_", " "))
    with c3:
        ward = st.selectbox("Ward", [ALL, *wards], key="bylaw_ward",
                            format_func=lambda w: "All wards" if w == ALL else w)
    if isinstance(picked, (tuple, list)):
        start, end = (picked[0], picked[-1]) if picked else (default_start, hi)
    else:
        start = end = picked
    return start, end, (None if btype == ALL else btype), (None if ward == ALL else ward)


def render_cases(start, end, btype, ward, info) -> None:
    w, p = where("opened_date", start, end, btype, ward)
    cases = read(f"""
        SELECT case_id, bylaw_type, current_status, outcome, is_open, is_inspection_sla_breached,
               is_resolution_sla_breached, is_reinspection_due, days_to_first_inspection, resolution_days
        FROM marts.fct_case_lifecycle {w}""", p)
    n = len(cases)
    c = st.columns(5)
    c[0].metric("Cases opened", ui.format_value(n, "count"), border=True)
    c[1].metric("Still open", ui.format_value(int(cases["is_open"].sum()) if n else 0, "count"), border=True)
    c[2].metric("Inspection SLA breached", ui.format_value(
        pct(int(cases["is_inspection_sla_breached"].fillna(False).sum()), n) if n else None, "%"), border=True)
    c[3].metric("Resolution SLA breached", ui.format_value(
        pct(int(cases["is_resolution_sla_breached"].fillna(False).sum()), n) if n else None, "%"), border=True)
    c[4].metric("Re-inspections due", ui.format_value(int(cases["is_reinspection_due"].sum()) if n else 0, "count"),
                border=True)
    if not n:
        st.info("No cases opened in this selection.")
        return
    closed = cases[cases["outcome"].notna()]
    if not closed.empty:
        by = closed.groupby(["bylaw_type", "outcome"], as_index=False).size()
        by["outcome"] = by["outcome"].map(lambda o: OUTCOMES.get(o, o))
        fig = px.bar(by, x="bylaw_type", y="size", color="outcome",
                     labels={"bylaw_type": "Bylaw type", "size": "Cases closed", "outcome": ""})
        fig.update_layout(margin=MARGIN, height=320, xaxis_title=None)
        st.plotly_chart(fig, key="bylaw_outcomes_chart")
    st.caption(ui.source_caption_text(
        "fct_case_lifecycle", info,
        "cases opened in the period; SLA targets by bylaw type and priority (seed bylaw_sla_targets); "
        "a case not yet inspected or closed counts as breached once its target has passed"))


def render_sla_aging(start, end, btype, ward, info) -> None:
    st.subheader("SLA and aging", anchor=False, divider="gray")
    w, p = where(None, None, None, btype, ward)
    aging = read(f"SELECT aging_bucket, current_status, open_cases, past_resolution_sla FROM marts.fct_bylaw_case_aging {w}", p)
    left, right = st.columns(2)
    with left:
        if aging.empty:
            st.info("No open cases.")
        else:
            a = aging.groupby(["aging_bucket", "current_status"], as_index=False)["open_cases"].sum()
            fig = px.bar(a, x="aging_bucket", y="open_cases", color="current_status",
                         category_orders={"aging_bucket": BUCKETS},
                         labels={"aging_bucket": "Age", "open_cases": "Open cases", "current_status": ""})
            fig.update_layout(margin=MARGIN, height=300, xaxis_title=None)
            st.plotly_chart(fig, key="bylaw_aging_chart")
    with right:
        w2, p2 = where("opened_month", start, end, btype, ward, month=True)
        sla = read(f"""
            SELECT bylaw_type, sum(cases_opened) AS opened, sum(inspection_sla_breaches) AS insp_breaches,
                   sum(resolution_sla_breaches) AS res_breaches, sum(open_past_resolution_sla) AS open_past
            FROM marts.fct_bylaw_sla_monthly {w2} GROUP BY 1 ORDER BY 1""", p2)
        table = pd.DataFrame({
            "Bylaw type": sla["bylaw_type"].tolist(),
            "Cases": sla["opened"].astype(int).tolist(),
            "Inspection breaches": sla["insp_breaches"].astype(int).tolist(),
            "Resolution breaches": sla["res_breaches"].astype(int).tolist(),
            "Open past target": sla["open_past"].astype(int).tolist(),
            "Resolution breach %": [pct(b, o) for b, o in zip(sla["res_breaches"], sla["opened"])],
        })
        st.dataframe(table, key="bylaw_sla_table", hide_index=True)
    st.caption(ui.source_caption_text(["fct_bylaw_case_aging", "fct_bylaw_sla_monthly"], info,
                                      "aging: open cases at the end of the data's last day; SLA: cases opened in the period"))


def render_compliance(start, end, btype, ward, info) -> None:
    st.subheader("Order compliance", anchor=False, divider="gray")
    w, p = where("issued_month", start, end, btype, ward, month=True)
    comp = read(f"""
        SELECT notice_type, sum(notices_issued) AS issued, sum(complied) AS complied,
               sum(not_complied) AS not_complied, sum(pending) AS pending, sum(complied_by_deadline) AS on_time
        FROM marts.fct_bylaw_order_compliance_monthly {w} GROUP BY 1 ORDER BY 1""", p)
    if comp.empty:
        st.info("No compliance notices or orders in this selection.")
        return
    comp["rate"] = [pct(c, c + n) for c, n in zip(comp["complied"], comp["not_complied"])]
    cols = st.columns(len(comp))
    for col, r in zip(cols, comp.itertuples()):
        col.metric(f"{NOTICE_LABELS.get(r.notice_type, r.notice_type)} compliance", ui.format_value(r.rate, "%"),
                   border=True, help=f"{int(r.complied)} complied, {int(r.not_complied)} not, {int(r.pending)} pending")
    st.dataframe(pd.DataFrame({
        "Notice": [NOTICE_LABELS.get(t, t) for t in comp["notice_type"]],
        "Issued": comp["issued"].astype(int).tolist(), "Complied": comp["complied"].astype(int).tolist(),
        "Not complied": comp["not_complied"].astype(int).tolist(), "Pending": comp["pending"].astype(int).tolist(),
        "Complied by the deadline": comp["on_time"].astype(int).tolist(), "Compliance %": comp["rate"].tolist(),
    }), key="bylaw_compliance_table", hide_index=True)
    st.caption(ui.source_caption_text("fct_bylaw_order_compliance_monthly", info,
                                      "each notice judged by its first re-inspection before the next notice; "
                                      "compliance % = complied / (complied + not complied)"))


def render_officers(start, end, info) -> None:
    st.subheader("Officer productivity", anchor=False, divider="gray")
    w, p = where("month", start, end, None, None, month=True)
    df = read(f"""
        SELECT officer_id, any_value(badge_number) AS badge, sum(inspections) AS inspections,
               sum(notices_issued + orders_issued) AS notices, sum(fines_issued) AS fines,
               sum(cases_closed) AS closed
        FROM marts.fct_bylaw_officer_productivity_monthly {w} GROUP BY 1 ORDER BY inspections DESC, officer_id""", p)
    if df.empty:
        st.info("No bylaw officer activity in this period.")
        return
    long = df.melt(id_vars=["officer_id"], value_vars=["inspections", "notices", "fines", "closed"],
                   var_name="measure", value_name="count")
    fig = px.bar(long, x="officer_id", y="count", color="measure", barmode="group",
                 labels={"officer_id": "Officer", "count": "", "measure": ""})
    fig.update_layout(margin=MARGIN, height=300, xaxis_title=None)
    st.plotly_chart(fig, key="bylaw_officer_chart")
    st.dataframe(pd.DataFrame({
        "Officer": df["officer_id"].tolist(), "Badge": df["badge"].tolist(),
        "Inspections": df["inspections"].astype(int).tolist(), "Notices and orders": df["notices"].astype(int).tolist(),
        "Fines": df["fines"].astype(int).tolist(), "Cases closed": df["closed"].astype(int).tolist(),
    }), key="bylaw_officer_table", hide_index=True)
    st.caption(ui.source_caption_text("fct_bylaw_officer_productivity_monthly", info,
                                      "months of the period, all bylaw types and wards; a notice counts for the "
                                      "officer of the case's latest inspection before it"))


def render_money(start, end, btype, ward, info) -> None:
    st.subheader("Fines and remediation", anchor=False, divider="gray")
    w, p = where("month", start, end, btype, None, month=True)
    fines = read(f"""
        SELECT month, sum(fines_issued) AS fines, sum(amount_issued) AS issued,
               sum(amount_collected_of_issued) AS collected_of_issued, sum(amount_collected) AS collected
        FROM marts.fct_bylaw_fines_monthly {w} GROUP BY 1 ORDER BY 1""", p)
    w2, p2 = where("ordered_date", start, end, btype, ward)
    works = read(f"""
        SELECT contractor, recovery_status, cost, recovered_amount, outstanding_amount, is_on_tax_roll
        FROM marts.fct_bylaw_remediation_works {w2}""", p2)
    issued = float(fines["issued"].sum()) if not fines.empty else 0.0
    coll = float(fines["collected_of_issued"].sum()) if not fines.empty else 0.0
    cost = float(works["cost"].sum()) if not works.empty else 0.0
    rec = float(works["recovered_amount"].sum()) if not works.empty else 0.0
    c = st.columns(5)
    c[0].metric("Fines issued", money(issued), border=True)
    c[1].metric("Fines collected", money(coll), border=True, help="Paid so far towards the fines issued in the period")
    c[2].metric("Collection rate", ui.format_value(pct(coll, issued), "%"), border=True)
    c[3].metric("Remediation cost", money(cost), border=True)
    c[4].metric("Remediation recovered", money(rec), border=True,
                help="From owners directly or through the tax roll (Municipal Act s.446)")
    if not fines.empty:
        f = fines.melt(id_vars=["month"], value_vars=["issued", "collected"], var_name="what", value_name="amount")
        f["what"] = f["what"].map({"issued": "Issued", "collected": "Collected (cash)"})
        fig = px.bar(f, x="month", y="amount", color="what", barmode="group", labels={"month": "Month", "amount": "", "what": ""})
        fig.update_layout(yaxis={"tickprefix": "$", "tickformat": ",.0f"}, margin=MARGIN, height=300, xaxis_title=None)
        st.plotly_chart(fig, key="bylaw_fines_chart")
    if works.empty:
        st.info("No remediation works in this selection.")
    else:
        by = works.groupby("contractor", as_index=False).agg(
            works=("cost", "size"), cost=("cost", "sum"), recovered=("recovered_amount", "sum"),
            outstanding=("outstanding_amount", "sum"), on_tax_roll=("is_on_tax_roll", "sum"))
        st.dataframe(by.rename(columns={"contractor": "Contractor", "works": "Works", "cost": "Cost ($)",
                                        "recovered": "Recovered ($)", "outstanding": "Outstanding ($)",
                                        "on_tax_roll": "On tax roll"}).round(2),
                     key="bylaw_remediation_table", hide_index=True)
    st.caption(ui.source_caption_text(["fct_bylaw_fines_monthly", "fct_bylaw_remediation_works"], info,
                                      "fines: AMPs and Part I tickets issued in the period (wards not applied); "
                                      "works ordered in the period"))


def render_cost_per_case(start, end, btype, info) -> None:
    st.subheader("Cost per case", anchor=False, divider="gray")
    w, p = where("closed_month", start, end, btype, None, month=True)
    df = read(f"""
        SELECT bylaw_type, sum(cases_closed) AS cases, sum(officer_cost) AS officer_cost,
               sum(remediation_unrecovered) AS unrecovered, sum(total_cost) AS total,
               max(officer_hourly_cost) AS hourly
        FROM marts.fct_bylaw_cost_per_case {w} GROUP BY 1 ORDER BY 1""", p)
    if df.empty:
        st.info("No cases closed in this selection.")
        return
    df["cost_per_case"] = (df["total"] / df["cases"]).round(2)
    fig = px.bar(df, x="bylaw_type", y="cost_per_case", labels={"bylaw_type": "Bylaw type", "cost_per_case": "Cost per case"})
    fig.update_layout(yaxis={"tickprefix": "$", "tickformat": ",.0f"}, margin=MARGIN, height=300, xaxis_title=None)
    st.plotly_chart(fig, key="bylaw_cost_chart")
    st.caption(ui.source_caption_text(
        "fct_bylaw_cost_per_case", info,
        f"cases closed in the period: officer time (1 h per case + 1.5 h per inspection + 1 h per notice, "
        f"by default) at ${float(df['hourly'].max()):.0f}/h, plus remediation cost not recovered"))


def render_complaints(start, end, ward, info) -> None:
    st.subheader("Complaint trends and emerging issues", anchor=False, divider="gray")
    w, p = where("month", start, end, None, ward, month=True)
    trends = read(f"""
        SELECT month, request_type, sum(complaints) AS complaints, sum(complaints_prior_year) AS prior
        FROM marts.fct_bylaw_complaint_trends {w} GROUP BY 1, 2 ORDER BY 1, 2""", p)
    if trends.empty:
        st.info("No complaints in this selection.")
    else:
        tot = trends.groupby("month", as_index=False)[["complaints", "prior"]].sum()
        t = tot.melt(id_vars=["month"], value_vars=["complaints", "prior"], var_name="year", value_name="n")
        t["year"] = t["year"].map({"complaints": "This year", "prior": "Year before"})
        fig = px.line(t, x="month", y="n", color="year", markers=True, labels={"month": "Month", "n": "Complaints", "year": ""})
        fig.update_layout(margin=MARGIN, height=280, xaxis_title=None)
        st.plotly_chart(fig, key="bylaw_trends_chart")
        by = trends.groupby("request_type", as_index=False)[["complaints", "prior"]].sum()
        by["change"] = [None if not pr else round(100.0 * (c - pr) / pr, 1) for c, pr in zip(by["complaints"], by["prior"])]
        st.dataframe(by.rename(columns={"request_type": "Complaint type", "complaints": "Complaints",
                                        "prior": "Same months a year before", "change": "Change %"}),
                     key="bylaw_trends_table", hide_index=True)
    em = read("""
        SELECT dimension, dimension_value, recent_complaints, recent_weekly_mean, baseline_mean, threshold,
               ratio_to_baseline, status
        FROM marts.fct_bylaw_emerging_issues WHERE status = 'emerging'
        ORDER BY ratio_to_baseline DESC NULLS LAST, dimension, dimension_value""")
    if ward:
        em = em[(em["dimension"] == "request_type") | em["dimension_value"].str.endswith(ward)]
    if em.empty:
        st.success("No emerging issues: no complaint type or ward is above its usual range.", icon=":material/check:")
    else:
        st.warning(f"{len(em)} emerging issue(s): complaints in the last 4 weeks above their usual range.",
                   icon=":material/trending_up:")
        st.dataframe(pd.DataFrame({
            "By": em["dimension"].map({"request_type": "type", "ward": "ward", "request_type_ward": "type in ward"}),
            "What": em["dimension_value"].tolist(), "Last 4 weeks": em["recent_complaints"].astype(int).tolist(),
            "Per week": em["recent_weekly_mean"].round(2).tolist(), "Usual per week": em["baseline_mean"].round(2).tolist(),
            "Threshold": em["threshold"].round(2).tolist(),
        }), key="bylaw_emerging_table", hide_index=True)
    st.caption(ui.source_caption_text(
        ["fct_bylaw_complaint_trends", "fct_bylaw_emerging_issues"], info,
        "trends: complaints received in the period's months vs the same months a year before; emerging: the last "
        "4 weeks' weekly mean above the prior 52 weeks' mean + 2 standard deviations (at least 4 complaints)"))


def main() -> None:
    info = ui.page_header("Bylaw analytics")
    lo, hi = ui.read_or_stop(bounds, "the bylaw case marts")
    if lo is None:
        st.info("No bylaw cases in this snapshot yet.")
        st.stop()
    types, wards = ui.read_or_stop(options, "the bylaw case marts")
    start, end, btype, ward = render_filters(lo, hi, types, wards)
    try:
        render_cases(start, end, btype, ward, info)
        render_sla_aging(start, end, btype, ward, info)
        render_compliance(start, end, btype, ward, info)
        render_officers(start, end, info)
        render_money(start, end, btype, ward, info)
        render_cost_per_case(start, end, btype, info)
        render_complaints(start, end, ward, info)
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the bylaw analytics")


main()
