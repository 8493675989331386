"""The Shift analytics page through AppTest, against a snapshot with known shifts
(shift_ops_snapshot_fixture.py): a supervisor sees each shift's numbers, its
comparisons with the team, the same weekday and the zone, and ALPR versus manual."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shift_ops_snapshot_fixture import default_shifts, write_shift_ops_snapshot
from snapshot_fixture import write_snapshot
from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_SCRIPT = REPO_ROOT / "apps" / "streamlit_app.py"
PAGE = REPO_ROOT / "apps" / "app_pages" / "shift_analytics.py"
AS_OF = "data as of 2025-11-21 17:45 EST"


def run_page() -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def dataframes(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


def shift_table(at):
    return dataframes(at)[0]


def comparison(at):
    df = dataframes(at)[1]
    return {r["Metric"]: r for r in df.to_dict("records")}


def mode_summary(at):
    return dataframes(at)[3]


def traces(at: AppTest, index: int = 0) -> dict[str, list[float]]:
    spec = json.loads(at.get("plotly_chart")[index].proto.spec)
    out = {}
    for t in spec["data"]:
        y = t["y"]
        if isinstance(y, dict):  # plotly's typed-array encoding
            y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"])).tolist()
        out[t["name"]] = [float(v) for v in y]
    return out


def test_page_is_in_the_parking_section_of_the_app(shift_ops_snapshot):
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60).run()
    assert not at.exception
    at.switch_page("app_pages/shift_analytics.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["Shift analytics"]
    import ast

    tree = ast.parse(APP_SCRIPT.read_text())
    pages = next(n.value for n in ast.walk(tree) if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "PAGES")
    sections = {k.value: [c.args[0].value for c in v.elts] for k, v in zip(pages.keys, pages.values)}
    assert "shift_analytics.py" in sections["Parking"] and "operations.py" in sections["Parking"]


def test_shift_table_shows_every_shift_with_its_numbers(shift_ops_snapshot):
    at = run_page()
    table = shift_table(at)
    # latest first; the default range is the last 14 days (both Fridays)
    assert list(table.index) == ["SH-A2", "SH-F1", "SH-A1", "SH-F2", "SH-A3"]
    a1 = table.loc["SH-A1"]
    assert (a1["Date"], a1["Start"], a1["End"]) == ("2025-11-21", "07:00", "15:00")  # EST
    assert (a1["Officer"], a1["Zone"], a1["Enforcement"]) == ("K101 (PK-101)", "Z01", "ALPR")
    assert a1["Plates scanned"] == 1200 and a1["Violations detected"] == 24
    assert a1["Detection rate %"] == pytest.approx(2.0)
    assert a1["Tickets"] == 24 and a1["Tickets / h"] == pytest.approx(3.0)
    assert a1["Route coverage %"] == pytest.approx(75.0) and a1["Compliance %"] == pytest.approx(97.6)
    foot = table.loc["SH-F1"]
    assert foot["Enforcement"] == "manual" and foot["Tickets"] == 40 and foot["Violations detected"] == 40
    assert pd.isna(foot["Plates scanned"]) and pd.isna(foot["Route coverage %"]) and pd.isna(foot["Detection rate %"])


def test_a_shift_against_team_weekday_and_zone(shift_ops_snapshot):
    at = run_page()
    # the first shift offered is the latest: SH-A2
    assert at.selectbox(key="shift_pick").value == "SH-A2"
    at.selectbox(key="shift_pick").set_value("SH-A1").run()
    assert not at.exception
    rows = comparison(at)
    assert list(rows) == ["Plates scanned", "Violations detected", "Detection rate", "Tickets issued",
                          "Tickets per hour", "Route coverage", "Compliance rate"]
    cols = ["Shift", "Team avg (same day)", "Δ team", "Same weekday avg (8 wk)", "Δ weekday", "Zone avg (28 d)", "Δ zone"]

    def got(metric):
        return [rows[metric][c] for c in cols]

    # team = SH-A1 and SH-A2 (ALPR, same day); weekday = SH-A3 (the Friday before);
    # zone Z01 over 28 days = SH-A1 and SH-A3.
    assert got("Plates scanned") == pytest.approx([1200, 1000, 200, 1000, 200, 1100, 100])
    assert got("Detection rate") == pytest.approx([2.0, 1.5, 0.5, 1.0, 1.0, 1.5, 0.5])
    assert got("Tickets issued") == pytest.approx([24, 16, 8, 10, 14, 17, 7])
    assert got("Tickets per hour") == pytest.approx([3.0, 2.0, 1.0, 1.25, 1.75, 2.13, 0.88], abs=0.01)
    assert got("Route coverage") == pytest.approx([75.0, 62.5, 12.5, 80.0, -5.0, 77.5, -2.5])
    # compliance: 1 - 24/1000 = 97.6 vs (97.6 + 98.857)/2, 99.0 and (97.6 + 99.0)/2
    assert got("Compliance rate") == pytest.approx([97.6, 98.23, -0.63, 99.0, -1.4, 98.3, -0.7], abs=0.01)


def test_a_foot_patrol_is_compared_with_foot_patrols_only(shift_ops_snapshot):
    at = run_page()
    at.selectbox(key="shift_pick").set_value("SH-F1").run()
    rows = comparison(at)
    assert list(rows) == ["Violations detected", "Tickets issued", "Tickets per hour"]
    r = rows["Tickets issued"]
    assert [r["Shift"], r["Team avg (same day)"], r["Δ team"], r["Same weekday avg (8 wk)"], r["Δ weekday"],
            r["Zone avg (28 d)"], r["Δ zone"]] == pytest.approx([40, 40, 0, 32, 8, 36, 4])
    assert any("peers are foot patrols" in c.value for c in at.caption)


def test_every_filtered_shift_against_its_comparisons(shift_ops_snapshot):
    at = run_page()
    long = dataframes(at)[2]
    assert len(long) == 3 * 7 + 2 * 3  # ALPR shifts: 7 metrics, foot: 3
    a3 = long[(long["Date"] == "2025-11-14") & (long["Officer"] == "K101 (PK-101)")]
    cov = a3[a3["Metric"] == "Route coverage"].iloc[0]
    # the first Friday has no earlier weekday: no weekday delta; zone = itself
    assert (cov["Shift"], cov["Δ team"], cov["Δ zone"]) == (80.0, 0.0, 0.0) and pd.isna(cov["Δ weekday"])


def test_filters_officer_zone_and_dates(shift_ops_snapshot):
    at = run_page()
    at.selectbox(key="shift_officer").set_value("PK-101").run()
    assert list(shift_table(at).index) == ["SH-A1", "SH-A3"]
    at.selectbox(key="shift_officer").set_value("__all__").run()
    at.selectbox(key="shift_zone").set_value("Z02").run()
    assert list(shift_table(at).index) == ["SH-A2"]
    at.selectbox(key="shift_zone").set_value("__all__").run()
    at.date_input(key="shift_dates").set_value((dt.date(2025, 11, 14), dt.date(2025, 11, 14))).run()
    assert not at.exception
    assert list(shift_table(at).index) == ["SH-F2", "SH-A3"]
    # the comparisons stay those of the mart (computed over all shifts, not the filter)
    at.selectbox(key="shift_pick").set_value("SH-A3").run()
    assert comparison(at)["Plates scanned"]["Zone avg (28 d)"] == pytest.approx(1000)


def test_alpr_versus_manual_side_by_side(shift_ops_snapshot):
    at = run_page()
    summary = mode_summary(at)
    alpr, manual = summary["ALPR"], summary["manual"]
    assert (alpr["Shifts"], manual["Shifts"]) == (3, 2)
    assert (alpr["Tickets issued"], manual["Tickets issued"]) == (42, 72)
    assert alpr["Tickets per hour"] == pytest.approx(42 / 24) and manual["Tickets per hour"] == pytest.approx(4.5)
    assert alpr["Fines per hour ($)"] == pytest.approx(70.0) and manual["Fines per hour ($)"] == pytest.approx(180.0)
    assert alpr["Plates scanned"] == 3000 and alpr["Detection rate %"] == pytest.approx(1.4)  # 42 / 3000
    assert alpr["Route coverage % (mean)"] == pytest.approx(68.3)  # (75 + 50 + 80) / 3
    assert alpr["Compliance % (mean)"] == pytest.approx(98.5)
    assert pd.isna(manual["Plates scanned"])
    bars = traces(at, 1)  # tickets by violation type, one trace per enforcement type
    assert set(bars) == {"ALPR", "manual"}
    assert sum(bars["ALPR"]) == 42 and sum(bars["manual"]) == 72


def test_chart_of_detection_rate_and_coverage(shift_ops_snapshot):
    at = run_page()
    series = traces(at, 0)
    # ALPR shifts, oldest first: SH-A3, SH-A1, SH-A2
    assert series["Detection rate"] == pytest.approx([1.0, 2.0, 1.0])
    assert series["Route coverage"] == pytest.approx([80.0, 75.0, 50.0])


def test_every_figure_says_its_source_and_as_of(shift_ops_snapshot):
    at = run_page()
    captions = [c.value for c in at.caption]
    assert captions[0].startswith("Data as of 2025-11-21 17:45 EST")
    figure_captions = captions[1:]
    assert len(figure_captions) == 5
    assert all(c.startswith("Source: `fct_officer_shift") and AS_OF in c for c in figure_captions)
    assert "ALPR-assisted tickets" in figure_captions[0]


def test_snapshot_without_the_shift_marts(tmp_path, monkeypatch):
    path = write_snapshot(tmp_path / "s.duckdb")  # an older pipeline's snapshot
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_page()
    assert any("Could not read the shift analytics" in e.value for e in at.error)
    assert len(at.dataframe) == 0


def test_no_shifts_yet(tmp_path, monkeypatch):
    path = write_shift_ops_snapshot(tmp_path / "s.duckdb", shifts=[])
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_page()
    assert [i.value for i in at.info] == ["No parking-enforcement shifts in this snapshot yet."]


def test_no_snapshot(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(tmp_path / "none.duckdb"))
    at = run_page()
    assert at.info[0].value == "No data published yet — run `civic pipeline run`"


def test_fixture_shifts_are_consistent():
    for s in default_shifts():
        assert s["tickets_per_hour"] == s["tickets_issued"] / s["shift_hours"]
