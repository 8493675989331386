"""The council report of the built ci city's October 2026: `civic report council` writes
PDF, XLSX and CSV whose figures match the marts one by one (recomputed here with pandas
from the mart rows), the PDF renders to pages with its charts and extractable text, no
export carries a plate or a complainant, small counts are withheld, and the Dagster asset,
its schedules and the page produce the same report."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from helpers import civic

pytestmark = pytest.mark.slow

PERIOD = "2026-10"
START, END = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
PAGE = Path(__file__).resolve().parents[2] / "apps" / "app_pages" / "council_reports.py"


@pytest.fixture(scope="module")
def exported(ci_city, tmp_path_factory):
    out = tmp_path_factory.mktemp("council_report")
    summary = json.loads(civic(ci_city, "report", "council", "--period", PERIOD, "--format", "pdf", "--format", "xlsx",
                               "--format", "csv", "--out", str(out)).strip().splitlines()[-1])
    return out, summary


@pytest.fixture(scope="module")
def marts(ci_city):
    snap = duckdb.connect(str(ci_city / "serving" / "civic_serving.duckdb"), read_only=True)
    frames = {t: snap.execute(f"SELECT * FROM marts.{t}").df() for t in (
        "fct_tickets", "fct_revenue_daily", "fct_ticket_lifecycle", "fct_officer_shifts", "fct_complaints",
        "fct_case_lifecycle", "fct_bylaw_complaint_trends", "fct_bylaw_sla_monthly")}
    snap.close()
    return frames


def sheets(out: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(out / f"council-report-{PERIOD}.xlsx", sheet_name=None)


def in_period(df: pd.DataFrame, col: str) -> pd.DataFrame:
    d = pd.to_datetime(df[col]).dt.date
    return df[(d >= START) & (d < END)]


def test_the_command_writes_every_format(exported):
    out, summary = exported
    assert sorted(Path(f).name for f in summary["files"]) == [
        f"council-report-{PERIOD}.pdf", f"council-report-{PERIOD}.xlsx", f"council-report-{PERIOD}.zip"]
    # the ci city is simulated from 2026-10-27: the October report says it is partial
    assert summary["label"] == "October 2026" and summary["partial"] is True and summary["min_count"] == 5
    assert sorted(p.name for p in out.iterdir()) == sorted(Path(f).name for f in summary["files"])  # no temp files left


def test_the_workbook_matches_the_marts_figure_by_figure(exported, marts):
    out, _ = exported
    x = sheets(out)
    tickets = in_period(marts["fct_tickets"], "issued_date")
    # summary
    s = x["summary"].set_index("Figure")["This period"]
    revenue = in_period(marts["fct_revenue_daily"], "day")
    assert float(s["Parking tickets issued"]) == len(tickets) > 0
    assert float(s["Set fines issued"]) == pytest.approx(tickets["fine_amount"].sum())
    assert float(s["Parking revenue"]) == pytest.approx(
        revenue[revenue["revenue_stream"].isin(["pay_by_plate", "meter"])]["revenue"].sum())
    assert float(s["Penalty payments received"]) == pytest.approx(
        revenue[revenue["revenue_stream"] == "ticket_payment"]["revenue"].sum())
    lc = marts["fct_ticket_lifecycle"]
    assert float(s["Disputes filed"]) == len(in_period(lc.dropna(subset=["dispute_filed_date"]), "dispute_filed_date"))
    assert float(s["Bylaw complaints received"]) == len(in_period(marts["fct_complaints"], "received_date"))
    cases = marts["fct_case_lifecycle"]
    assert float(s["Bylaw cases opened"]) == len(in_period(cases, "opened_date"))
    closed = in_period(cases.dropna(subset=["closed_date"]), "closed_date")
    assert float(s["Average days to resolve"]) == pytest.approx(closed["resolution_days"].mean(), abs=0.005)
    # no data a year before in a city simulated from 2026-10-27: blank, never a made-up zero
    assert x["summary"]["Same period last year"].isna().all()

    # tickets by type
    by_type = x["parking_tickets_by_type"].set_index("Violation")
    want = tickets.groupby("violation_type").agg(n=("ticket_id", "size"), fines=("fine_amount", "sum"))
    assert sorted(by_type.index) == sorted(want.index)
    for v, r in want.iterrows():
        assert by_type.loc[v, "Tickets"] == r["n"] and by_type.loc[v, "Set fines"] == pytest.approx(r["fines"])
    assert by_type["Share %"].sum() == pytest.approx(100.0, abs=0.5)

    # tickets by ward: every ticket in exactly one ward
    assert x["parking_tickets_by_ward"]["Tickets"].sum() == len(tickets)
    if "ward" in tickets:
        want_w = tickets["ward"].fillna("unknown").value_counts()
        got_w = x["parking_tickets_by_ward"].set_index("Ward")["Tickets"]
        assert got_w.sort_index().to_dict() == want_w.sort_index().to_dict()

    # revenue by stream and channel
    rev = x["parking_revenue"].groupby(["Stream", "Channel"])["Revenue"].sum()
    want_r = revenue.groupby(["revenue_stream", "channel"])["revenue"].sum().round(2)
    assert len(rev) == len(want_r)
    for (stream, channel), v in want_r.items():
        assert rev[(stream, channel)] == pytest.approx(v)

    # ALPR versus manual
    shifts = in_period(marts["fct_officer_shifts"], "shift_date")
    mode = x["parking_alpr_vs_manual"].set_index("Enforcement")
    for kind, g in shifts.groupby("enforcement_type"):
        assert mode.loc[kind, "Shifts"] == len(g) and mode.loc[kind, "Tickets"] == g["tickets_issued"].sum()
        assert mode.loc[kind, "Tickets per patrol hour"] == pytest.approx(g["tickets_issued"].sum() / g["shift_hours"].sum(), abs=0.006)

    # disputes by outcome
    disputes = in_period(lc.dropna(subset=["dispute_filed_date"]), "dispute_filed_date")
    got_d = x["parking_disputes"].groupby("Outcome")["Disputes"].sum().to_dict()
    assert got_d == disputes["dispute_outcome"].fillna("pending").value_counts().to_dict()

    # collections: every ticket of the month once, money adding up
    col = x["parking_collections"]
    assert col["Tickets"].sum() == len(tickets)
    issued = in_period(lc, "issued_date")
    assert col["Outstanding"].sum() == pytest.approx(issued["amount_outstanding"].sum(), abs=0.01)


def test_bylaw_tables_match_the_marts_where_published_and_withhold_small_counts(exported, marts):
    out, _ = exported
    x = sheets(out)
    complaints = in_period(marts["fct_complaints"], "received_date")
    by_channel = x["bylaw_complaints_by_channel"].set_index("Channel")["Complaints"]
    want = complaints["channel"].value_counts()
    assert sorted(by_channel.index) == sorted(want.index)
    withheld = [c for c, v in by_channel.items() if v == "<5"]
    for c, v in by_channel.items():
        if v == "<5":
            assert want[c] < 5 or want[c] == min(want[want >= 5])  # small, or the complement of a lone small one
        else:
            assert int(v) == want[c] and (want[c] >= 5 or want[c] == 0)
    assert len(withheld) != 1  # one withheld row alone could be recomputed from the total
    # complaints by type: sums of the trend mart
    trends = marts["fct_bylaw_complaint_trends"]
    t = trends[(pd.to_datetime(trends["month"]).dt.date >= START) & (pd.to_datetime(trends["month"]).dt.date < END)]
    want_t = t.groupby("request_type")["complaints"].sum()
    got_t = x["bylaw_complaints_by_type"].set_index("Complaint type")["Complaints"]
    assert sorted(got_t.index) == sorted(want_t[want_t > 0].index)
    for k, v in got_t.items():
        assert v == "<5" or int(v) == want_t[k] >= 5
    # cases: every published count is 0 or at least the threshold in every table that suppresses
    for sheet, col in (("bylaw_case_outcomes", "Cases closed"), ("bylaw_sla", "Cases opened"),
                       ("bylaw_complaints_by_ward", "Complaints"), ("bylaw_order_compliance", "Issued"),
                       ("bylaw_cost_per_case", "Cases closed")):
        for v in x[sheet][col]:
            assert v == "<5" or int(v) == 0 or int(v) >= 5, (sheet, v)
    sla = x["bylaw_sla"].set_index("Bylaw type")
    m = marts["fct_bylaw_sla_monthly"]
    m = m[pd.to_datetime(m["opened_month"]).dt.date == START]
    for bt, g in m.groupby("bylaw_type"):
        if sla.loc[bt, "Cases opened"] != "<5":
            assert int(sla.loc[bt, "Cases opened"]) == g["cases_opened"].sum()


def same(v):
    """A cell compared across formats: numbers as numbers, blanks as None."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    try:
        return round(float(v), 6)
    except (TypeError, ValueError):
        return str(v)


def test_csv_files_carry_the_same_numbers_as_the_workbook(exported):
    out, _ = exported
    x = sheets(out)
    with zipfile.ZipFile(out / f"council-report-{PERIOD}.zip") as zf:
        names = set(zf.namelist())
        assert {"summary.csv", "definitions.csv", "about.csv", "parking_tickets_by_type.csv"} <= names
        for name in names - {"definitions.csv", "about.csv"}:
            csv = pd.read_csv(io.BytesIO(zf.read(name)))
            sheet = x[name[:-4][:31]]
            assert len(csv) == len(sheet) and len(csv.columns) == len(sheet.columns), name
            for a, b in zip(csv.columns, sheet.columns):
                assert [same(u) for u in csv[a]] == [same(v) for v in sheet[b]], (name, a)
        defs = pd.read_csv(io.BytesIO(zf.read("definitions.csv")))
    # every column of every table has its definition
    assert defs["table_definition"].notna().all() and set(defs["table"]) == {n[:-4] for n in names} - {"definitions", "about"}


def test_the_pdf_renders_with_its_charts_and_extractable_text(exported):
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    out, _ = exported
    path = out / f"council-report-{PERIOD}.pdf"
    reader = PdfReader(str(path))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert reader.metadata.title == "Enforcement Services report to Council — October 2026"
    for phrase in ("Enforcement Services report to Council", "October 2026", "Summary", "Parking — Revenue",
                   "partial: the warehouse's data begins 2026-10-27",
                   "Parking — Tickets by type and ward", "Bylaw — Complaints by type, channel and ward",
                   "Bylaw — Cost per case", "Definitions and sources", "Chart description:", "Source: fct_tickets"):
        assert phrase in text, phrase
    x = sheets(out)
    tickets = int(x["summary"].set_index("Figure").loc["Parking tickets issued", "This period"])
    assert f"Parking tickets issued {tickets:,}" in text.replace("\n", " ")
    pdf = pdfium.PdfDocument(str(path))
    assert len(pdf) == len(reader.pages) >= 10
    images = 0
    for i in range(len(pdf)):
        page = pdf[i]
        images += sum(1 for _ in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))
        bitmap = np.asarray(page.render(scale=0.5).to_pil().convert("RGB"))
        assert bitmap.shape[0] > 300 and (bitmap < 250).any()  # a page with something printed on it
    assert images == text.count("Chart description:") >= 8  # every chart drawn, each with its description
    # a chart page has the chart's colour (plotly bars in the report's blue or its palette) and not just text
    chart_page = next(i for i, p in enumerate(reader.pages) if "Tickets by violation type" in p.extract_text())
    rgb = np.asarray(pdf[chart_page].render(scale=1).to_pil().convert("RGB")).astype(int)
    colourful = (np.abs(rgb[..., 0] - rgb[..., 2]) > 60).mean()
    assert colourful > 0.005


def test_no_export_carries_a_plate_or_a_complainant(exported, ci_city):
    from pypdf import PdfReader

    out, _ = exported
    texts = ["\n".join(p.extract_text() for p in PdfReader(str(out / f"council-report-{PERIOD}.pdf")).pages)]
    for df in sheets(out).values():
        texts.append(df.to_csv(index=False))
    with zipfile.ZipFile(out / f"council-report-{PERIOD}.zip") as zf:
        texts += [zf.read(n).decode() for n in zf.namelist()]
    blob = "\n".join(texts).upper()
    episodes = pd.read_parquet(ci_city / "ground_truth" / "parking_episodes.parquet")
    tickets = pd.concat(pd.read_csv(f) for f in sorted((ci_city / "landing" / "handheld_tickets").glob("*.csv")))
    plates = {str(p).upper() for p in pd.concat([episodes["plate"], tickets["plate"]]).dropna()}
    plates |= {p.replace(" ", "") for p in plates}
    assert len(plates) > 100 and not [p for p in plates if p in blob]
    assert not [a for a in set(tickets["street_address"].dropna().str.upper()) if a in blob]
    calls = pd.concat(pd.read_csv(f) for f in sorted((ci_city / "landing" / "calls_311").glob("*.csv")))
    names = {str(n).upper() for n in calls["caller_name"].dropna()}
    phones = {str(n) for n in calls["caller_phone"].dropna()}
    assert names and not [n for n in names if n in blob]
    assert not [p for p in phones if p in blob]
    addresses = {str(a).upper() for a in calls["address"].dropna()}
    assert not [a for a in addresses if a in blob]


def test_the_monthly_asset_and_the_schedules(ci_city_copy, monkeypatch):
    import dagster as dg

    from orchestration import reports
    from orchestration.definitions import defs

    monkeypatch.setenv("CIVIC_DATA_DIR", str(ci_city_copy))
    monkeypatch.setenv("CIVIC_REPORT_FORMATS", "xlsx,csv")
    result = dg.materialize([reports.council_report_monthly], partition_key="2026-10-01")
    assert result.success
    folder = ci_city_copy / "reports" / "council" / "2026-10"
    assert sorted(p.name for p in folder.iterdir()) == ["council-report-2026-10.xlsx", "council-report-2026-10.zip"]
    meta = result.asset_materializations_for_node("council_report_monthly")[0].metadata
    assert meta["period"].value == "October 2026" and meta["tables"].value >= 15
    # the schedules: the month just ended on the 2nd; the quarter just ended on the 2nd of its next quarter
    repo = defs.get_repository_def()
    monthly = repo.get_schedule_def("council_report_monthly_schedule")
    assert monthly.cron_schedule == "0 6 2 * *" and monthly.execution_timezone == "America/Toronto"
    ctx = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 2, 6), repository_def=repo)
    assert [r.partition_key for r in monthly.evaluate_tick(ctx).run_requests] == ["2026-10-01"]
    quarterly = repo.get_schedule_def("council_report_quarterly_schedule")
    ctx = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2027, 1, 2, 6), repository_def=repo)
    assert [r.partition_key for r in quarterly.evaluate_tick(ctx).run_requests] == ["2026-10-01"]


def test_the_page_previews_the_report_and_offers_every_download(ci_city, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CIVIC_DATA_DIR", str(ci_city))
    monkeypatch.delenv("CIVIC_SERVING_PATH", raising=False)
    at = AppTest.from_file(str(PAGE), default_timeout=180).run()
    assert not at.exception
    assert at.selectbox(key="report_period").value.key == PERIOD
    heads = [h.value for h in at.subheader]
    assert heads[0] == "Summary" and "Bylaw — Cost per case" in heads
    # a council member narrows to the bylaw sections: the parking ones leave the preview
    at.multiselect(key="report_sections").set_value(["bylaw_complaints", "bylaw_cases"]).run()
    assert [h.value for h in at.subheader] == ["Summary", "Bylaw — Complaints by type, channel and ward",
                                                "Bylaw — Case outcomes and service levels"]
    captions = " ".join(c.value for c in at.caption)
    assert "Data as of" in captions and "Source: `fct_complaints`" in captions and "Chart description" in captions
    at.button(key="prepare_pdf").click().run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download PDF", "Download XLSX", "Download CSV (zip)"]


def test_with_suppression_off_every_bylaw_table_is_the_marts_own_sum(ci_city):
    """CIVIC_REPORT_MIN_COUNT=0: the bylaw tables, row for row, against the marts."""
    from apps.reports import content
    from apps.reports.period import parse_period

    snapshot = ci_city / "serving" / "civic_serving.duckdb"
    report = content.build_report(parse_period(PERIOD), content.snapshot_query(snapshot), min_count=0)
    tables = {t.key: t.frame for t in report.tables()}
    assert all(t.withheld == 0 for t in report.tables())
    snap = duckdb.connect(str(snapshot), read_only=True)
    cases = snap.execute("SELECT * FROM marts.fct_case_lifecycle").df()
    cost = snap.execute("SELECT * FROM marts.fct_bylaw_cost_per_case").df()
    orders = snap.execute("SELECT * FROM marts.fct_bylaw_order_compliance_monthly").df()
    complaints = snap.execute("SELECT * FROM marts.fct_complaints").df()
    snap.close()
    closed = in_period(cases.dropna(subset=["closed_date"]), "closed_date")
    want = closed.groupby(["bylaw_type", "outcome"]).size()
    got = tables["bylaw_case_outcomes"].set_index(["bylaw_type", "outcome"])["cases_closed"]
    assert len(want) > 0 and got.sort_index().astype(int).to_dict() == want.sort_index().to_dict()
    c = cost[pd.to_datetime(cost["closed_month"]).dt.date == START].groupby("bylaw_type")[["cases_closed", "total_cost"]].sum()
    got = tables["bylaw_cost_per_case"].set_index("bylaw_type")
    for bt, r in c.iterrows():
        assert got.loc[bt, "cases_closed"] == r["cases_closed"]
        assert got.loc[bt, "cost_per_case"] == pytest.approx(r["total_cost"] / r["cases_closed"], abs=0.005)
    o = orders[pd.to_datetime(orders["issued_month"]).dt.date == START].groupby("notice_type")["notices_issued"].sum()
    assert tables["bylaw_order_compliance"].set_index("notice_type")["notices_issued"].astype(int).to_dict() == o.to_dict()
    ch = in_period(complaints, "received_date")["channel"].value_counts()
    assert tables["bylaw_complaints_by_channel"].set_index("channel")["complaints"].astype(int).to_dict() == ch.to_dict()
    assert tables["bylaw_complaints_by_ward"]["complaints"].sum() == len(in_period(complaints, "received_date"))
