"""Council reports: choose a month or quarter and the sections, preview the report, and
download it as PDF (for the agenda), XLSX (a sheet per table) or CSV.

Reads only the serving snapshot's marts through ``apps.reports`` — the same content the
scheduled Dagster report assets and ``civic report council`` write — with the privacy
rules applied: plates masked, no complainant identity, small counts withheld.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from apps import serving, ui
from apps.reports import charts, content, render
from apps.reports.period import Period, month_period, quarter_period


def _query(sql: str, params=()) -> pd.DataFrame:
    return serving.query(sql, list(params))


@st.cache_data(ttl=serving.QUERY_TTL_SECONDS, show_spinner=False)
def months(version: serving.SnapshotVersion | None) -> list[dt.date]:
    return content.available_months(_query)


@st.cache_data(ttl=serving.QUERY_TTL_SECONDS, show_spinner="Reading the marts…")
def build(version: serving.SnapshotVersion | None, period: Period, sections: tuple[str, ...]) -> content.Report:
    return content.build_report(period, _query, sections=list(sections))


def period_options(kind: str, available: list[dt.date]) -> list[Period]:
    out: list[Period] = []
    for m in available:
        p = quarter_period(m) if kind == "Quarter" else month_period(m)
        if p not in out:
            out.append(p)
    return out


def show_table(t: content.Table, report: content.Report, info) -> None:
    st.markdown(f"**{ui.md_escape(t.title)}**")
    fig = charts.figure(t, report)
    if fig is not None:
        st.plotly_chart(fig, key=f"chart_{t.key}")
        st.caption("Chart description: " + ui.md_escape(charts.alt_text(t, report)))
    if t.frame.empty:
        st.info("No records in this period.")
    else:
        st.dataframe(render.formatted(t), hide_index=True, key=f"table_{t.key}")
    note = t.definition + (f" {t.withheld} row(s) withheld (fewer than {report.min_count})." if t.withheld else "")
    st.caption(ui.source_caption_text(list(t.sources), info, note))


def downloads(report: content.Report) -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        key = f"pdf_{report.period.key}_{hash(tuple(s.key for s in report.sections))}"
        if key not in st.session_state:
            if st.button("Prepare the PDF", icon=":material/picture_as_pdf:", key="prepare_pdf",
                         help="Lays out the agenda PDF with its charts (a few seconds per chart)."):
                with st.status("Rendering the PDF…", expanded=True) as status:
                    data = render.to_pdf(report, progress=lambda m: status.write(m))
                    status.update(label="PDF ready", state="complete")
                st.session_state[key] = data
        if key in st.session_state:
            ui.download_button("Download PDF", st.session_state[key], render.file_name(report, "pdf"),
                               mime=render.MEDIA_TYPES["pdf"], icon=":material/download:", key="download_pdf")
    with c2:
        ui.download_button("Download XLSX", render.to_xlsx(report), render.file_name(report, "xlsx"),
                           mime=render.MEDIA_TYPES["xlsx"], icon=":material/table:", key="download_xlsx")
    with c3:
        ui.download_button("Download CSV (zip)", render.to_csv_zip(report), render.file_name(report, "csv"),
                           mime=render.MEDIA_TYPES["csv"], icon=":material/folder_zip:", key="download_csv")


def main() -> None:
    info = ui.page_header("Council reports")
    version = serving.snapshot_version()
    available = ui.read_or_stop(months, "the report periods", version)
    if not available:
        st.info("The warehouse holds no parking or bylaw data yet.")
        st.stop()
    c1, c2 = st.columns([1, 2])
    with c1:
        kind = st.segmented_control("Report", ["Month", "Quarter"], default="Month", key="report_kind") or "Month"
        options = period_options(kind, available)
        period = st.selectbox("Period", options, format_func=lambda p: p.label, key="report_period")
    with c2:
        sections = st.multiselect("Sections", list(content.SECTION_TITLES), default=list(content.SECTION_TITLES),
                                  format_func=lambda k: content.SECTION_TITLES[k], key="report_sections")
    if not sections:
        st.warning("Choose at least one section.")
        st.stop()
    report = ui.read_or_stop(build, "the report", version, period, tuple(sections))
    if report.is_partial:
        coverage = dict(render.provenance(report))["Coverage"]
        st.warning(f"{period.label} is not complete in the warehouse ({coverage}).", icon=":material/schedule:")
    downloads(report)
    st.subheader("Summary", anchor=False, divider="gray")
    show_table(report.summary, report, info)
    for s in report.sections:
        st.subheader(f"{s.group} — {s.title}", anchor=False, divider="gray")
        for t in s.tables:
            show_table(t, report, info)
    st.caption(f"Privacy: aggregates only; plates masked; no complainant identity; counts of 1 to "
               f"{max(report.min_count - 1, 1)} about complaints, cases and works withheld "
               f"(CIVIC_REPORT_MIN_COUNT={report.min_count}).")


main()
