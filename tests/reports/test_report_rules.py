"""The council report's rules on their own: periods, the privacy rules (masking, small-count
suppression and its complement), chart descriptions and printed values."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from apps.reports import charts, content, privacy, render
from apps.reports.period import Period, latest_complete_month, parse_period


def test_periods_parse_months_and_quarters():
    oct_ = parse_period("2026-10")
    assert (oct_.kind, oct_.start, oct_.end, oct_.key, oct_.label) == (
        "month", dt.date(2026, 10, 1), dt.date(2026, 11, 1), "2026-10", "October 2026")
    dec = parse_period("2026-12")
    assert dec.end == dt.date(2027, 1, 1) and dec.last_day == dt.date(2026, 12, 31)
    q4 = parse_period("2026-q4")
    assert (q4.start, q4.end, q4.key) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1), "2026-Q4")
    assert q4.label == "Q4 2026 (October–December)" and len(q4.months()) == 3
    assert q4.shifted_years(-1) == Period("quarter", dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    assert latest_complete_month(dt.date(2026, 11, 23)).key == "2026-10"
    assert latest_complete_month(dt.date(2026, 10, 31)).key == "2026-10"
    for bad in ("2026-13", "2026", "Q4", "2026-Q5", ""):
        with pytest.raises(ValueError, match="period"):
            parse_period(bad)


def test_plates_are_masked_and_the_reports_own_identifiers_are_not():
    assert privacy.mask_plates("towed CBJX 412 and ABC123 then 123 ABC") == "towed CB•• ••2 and AB•••3 then 12• ••C"
    assert privacy.mask_plates("Brazil BRA2E19") == "Brazil BR••••9"
    for kept in ("Z01", "SZ-01", "PK-207", "Ward 3", "BF-00013", "2026-10", "October 2026", "Q4 2026", "meter_unpaid"):
        assert privacy.mask_plates(kept) == kept


def test_identifying_columns_are_refused():
    with pytest.raises(privacy.PrivacyError, match="plate_pseudonym"):
        privacy.check_columns("t", ["ward", "plate_pseudonym"])
    with pytest.raises(privacy.PrivacyError, match="complainant_name"):
        privacy.check_columns("t", ["complainant_name"])
    privacy.check_columns("t", ["ward", "complaints"])


def test_small_counts_are_withheld_with_their_row_and_a_lone_one_with_the_next_smallest():
    frame = pd.DataFrame({"ward": ["A", "B", "C", "D"], "complaints": [12, 3, 0, 7], "avg_days": [1.0, 2.0, None, 3.0]})
    out, mask = privacy.suppress_small_counts(frame, "complaints", 5, ["avg_days"])
    # B (3) is below 5; alone it could be recovered from the total, so D (7, next smallest) goes too; 0 reveals no one
    assert mask.tolist() == [False, True, False, True]
    assert out["complaints"].tolist() == [12, "<5", 0, "<5"] and out["avg_days"].tolist()[1] == "<5"
    two = pd.DataFrame({"k": ["a", "b", "c"], "n": [1, 2, 9]})
    out, mask = privacy.suppress_small_counts(two, "n", 5)
    assert mask.tolist() == [True, True, False]  # two withheld already hide each other
    off, mask = privacy.suppress_small_counts(two, "n", 0)
    assert not mask.any() and off["n"].tolist() == [1, 2, 9]


def test_threshold_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(privacy.MIN_COUNT_ENV, raising=False)
    assert privacy.min_count() == 5
    monkeypatch.setenv(privacy.MIN_COUNT_ENV, "10")
    assert privacy.min_count() == 10
    monkeypatch.setenv(privacy.MIN_COUNT_ENV, "ten")
    with pytest.raises(ValueError, match="CIVIC_REPORT_MIN_COUNT"):
        privacy.min_count()


def _report(table: content.Table, geography=None) -> content.Report:
    summary = content.Table("summary", "Summary", "", (), pd.DataFrame(), {})
    return content.Report(parse_period("2026-10"), dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc),
                          pd.Timestamp("2026-11-01 03:00", tz="UTC"), summary,
                          [content.Section("s", "Parking", "S", [table])], 5, geography)


def test_a_chart_description_says_what_the_chart_shows():
    t = content.Table("x", "Tickets by type", "", ("fct_tickets",),
                      pd.DataFrame({"violation_type": ["meter_unpaid", "no_permit", "school_zone"], "tickets": [351, 36, "<5"]}),
                      {"violation_type": "Violation", "tickets": "Tickets"},
                      chart=content.Chart("bar", "violation_type", "tickets", None, "Tickets by violation type"))
    r = _report(t)
    assert charts.alt_text(t, r) == ("Bar chart of tickets by violation, October 2026: meter unpaid 351, no permit 36. "
                                     "1 value(s) withheld (fewer than 5).")
    fig = charts.figure(t, r)
    assert list(fig.data[0].y[:2]) == [351, 36] and pd.isna(fig.data[0].y[2])
    line = content.Table("m", "Trend", "", (), pd.DataFrame({"month": ["2026-08", "2026-09", "2026-10"], "tickets": [None, 40, 30]}),
                         {}, chart=content.Chart("line", "month", "tickets", None, "Tickets per month"))
    assert charts.alt_text(line, _report(line)) == ("Line chart of tickets by month from 2026-09 to 2026-10: "
                                                   "40 in 2026-09, 30 in 2026-10, highest 40 in 2026-09.")


def test_a_ward_map_shades_each_ward_polygon_and_labels_it():
    geo = pd.DataFrame({"ward": ["Ward 1", "Ward 2"],
                        "geometry_wkt": ["POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))", "POLYGON ((1 0, 2 0, 2 1, 1 1, 1 0))"]})
    t = content.Table("w", "By ward", "", (), pd.DataFrame({"ward": ["Ward 1", "Ward 2"], "complaints": [10, "<5"]}), {},
                      chart=content.Chart("ward_map", "ward", "complaints", None, "Complaints by ward"))
    fig = charts.figure(t, _report(t, geo))
    fills = [tr.fillcolor for tr in fig.data]
    assert len(fig.data) == 2 and fills[1] == "#e5e5e5" and fills[0] != fills[1]  # withheld: grey
    assert [a.text for a in fig.layout.annotations] == ["<b>Ward 1</b><br>10", "<b>Ward 2</b><br><5"]


def test_printed_values():
    assert render.format_cell(1234.5, "$") == "$1,234.50"
    assert render.format_cell(12.345, "%") == "12.3%"
    assert render.format_cell(1234, "count") == "1,234"
    assert render.format_cell("<5", "count") == "<5"
    assert render.format_cell(None, "$") == "—"
    assert render.format_cell("meter_unpaid", None) == "meter unpaid"


def _summary_marts():
    """Just the marts the summary reads, with a ticket day in October 2025 and in October 2026."""
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("""CREATE TABLE marts.fct_revenue_daily AS SELECT * FROM (VALUES
        (DATE '2025-10-01', 'meter', 100.0), (DATE '2026-10-03', 'meter', 150.0), (DATE '2026-10-04', 'pay_by_plate', 50.0),
        (DATE '2026-11-01', 'meter', 999.0), (DATE '2026-10-05', 'ticket_payment', 30.0)) AS t(day, revenue_stream, revenue)""")
    con.execute("""CREATE TABLE marts.fct_tickets AS SELECT * FROM (VALUES
        (DATE '2025-10-10', 30.0), (DATE '2025-10-11', 30.0), (DATE '2026-10-10', 50.0)) AS t(issued_date, fine_amount)""")
    con.execute("""CREATE TABLE marts.fct_ticket_lifecycle AS SELECT * FROM (VALUES
        (DATE '2026-10-12', NULL::DATE)) AS t(dispute_filed_date, plate_denial_date)""")
    con.execute("""CREATE TABLE marts.fct_complaints AS SELECT * FROM (VALUES
        (DATE '2026-10-01'), (DATE '2026-10-02'), (DATE '2026-10-03')) AS t(received_date)""")
    con.execute("""CREATE TABLE marts.fct_case_lifecycle AS SELECT * FROM (VALUES
        (DATE '2026-10-01', DATE '2026-10-09', 8.0, false)) AS t(opened_date, closed_date, resolution_days,
        is_resolution_sla_breached)""")
    con.execute("CREATE TABLE marts.fct_bylaw_remediation_works (ordered_date DATE, cost DOUBLE)")
    return lambda sql, params=(): con.execute(sql, list(params)).df()


def test_the_summary_compares_with_the_same_period_a_year_before_only_where_data_covers_it():
    q = _summary_marts()
    s = content.summary_table(q, parse_period("2026-10"), threshold=5).frame.set_index("figure")
    assert s.loc["Parking revenue", "value"] == 200.0 and s.loc["Parking revenue", "same_period_last_year"] == 100.0
    assert s.loc["Parking revenue", "change_pct"] == 100.0
    assert s.loc["Penalty payments received", "value"] == 30.0
    assert s.loc["Parking tickets issued", ["value", "same_period_last_year", "change_pct"]].tolist() == [1.0, 2.0, -50.0]
    assert s.loc["Sent to MTO plate denial", "value"] == 0.0  # a count of nothing is zero, not blank
    # bylaw data starts in 2026-10: no year-before figure rather than a false zero
    assert pd.isna(s.loc["Bylaw complaints received", "same_period_last_year"])
    assert s.loc["Bylaw complaints received", "value"] == "<5"  # three complaints: withheld
    assert s.loc["Average days to resolve", "value"] == 8.0 and s.loc["Resolved within target", "value"] == 100.0
    assert s.loc["Remediation work ordered", "value"] == 0.0
    assert content.summary_table(q, parse_period("2026-10"), threshold=0).frame.set_index("figure").loc[
        "Bylaw complaints received", "value"] == 3.0


def test_without_chromium_the_pdf_still_prints_every_table_and_describes_each_chart(monkeypatch):
    from pypdf import PdfReader

    monkeypatch.setenv("BROWSER_PATH", "/bin/false")  # plotly's exporter cannot start a browser
    t = content.Table("parking_tickets_by_type", "Tickets by type", "Tickets issued.", ("fct_tickets",),
                      pd.DataFrame({"violation_type": ["meter_unpaid", "no_permit"], "tickets": [351, 36]}),
                      {"violation_type": "Violation", "tickets": "Tickets"}, {"tickets": "count"},
                      content.Chart("bar", "violation_type", "tickets", None, "Tickets by violation type"))
    pdf = render.to_pdf(_report(t))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Chart not drawn" in text and "Bar chart of tickets by violation, October 2026: meter unpaid 351" in text
    assert "meter unpaid" in text and "351" in text
