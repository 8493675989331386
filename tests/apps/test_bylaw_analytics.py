"""The Bylaw analytics page through AppTest, against a real serving snapshot: the golden
cases of tests/dbt/bylaw_golden_cases.py (one per lifecycle path) built by dbt and
published as the pipeline publishes (warehouse.duck.publish_snapshot). Every figure below
follows from those rows (see tests/dbt/test_bylaw_lifecycle.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_SCRIPT = REPO_ROOT / "apps" / "streamlit_app.py"
PAGE = REPO_ROOT / "apps" / "app_pages" / "bylaw_analytics.py"
sys.path.insert(0, str(REPO_ROOT / "tests" / "dbt"))
import bylaw_golden_cases as G  # noqa: E402


@pytest.fixture(scope="module")
def golden_snapshot(tmp_path_factory) -> Path:
    from warehouse.duck import publish_snapshot

    work = tmp_path_factory.mktemp("bylaw_app")
    wh = G.build_warehouse(work)
    target = work / "serving" / "civic_serving.duckdb"
    publish_snapshot(SimpleNamespace(warehouse_db=wh, serving_db=target), run_id="golden")
    with duckdb.connect(str(target)) as con:  # the golden warehouse has no fct_recent_activity
        con.execute("UPDATE meta.snapshot_info SET data_as_of = TIMESTAMPTZ '2026-06-30 18:00:00-04'")
    return target


@pytest.fixture
def snapshot(golden_snapshot, monkeypatch) -> Path:
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(golden_snapshot))
    return golden_snapshot


def run_page() -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at: AppTest) -> dict[str, dict]:
    return {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def frame(at: AppTest, column: str):
    """The one table on the page with this column."""
    (df,) = [d.value for d in at.dataframe if column in d.value.columns]
    return df


def test_page_is_in_the_bylaw_section(snapshot):
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60).run()
    at.switch_page("app_pages/bylaw_analytics.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["Bylaw analytics"]


def test_headline_figures_of_the_golden_cases(snapshot):
    at = run_page()
    m = metrics(at)
    assert (m["Cases opened"], m["Still open"], m["Re-inspections due"]) == ("9", "1", "1")
    assert m["Inspection SLA breached"] == "11.1%"  # G8: noise/urgent inspected after 1 day (target 12 h)
    assert m["Resolution SLA breached"] == "0.0%"
    assert (m["Fines issued"], m["Fines collected"], m["Collection rate"]) == ("$800.00", "$600.00", "75.0%")
    assert (m["Remediation cost"], m["Remediation recovered"]) == ("$850.00", "$850.00")
    assert m["Compliance notice compliance"] == "50.0%"  # N4 complied, N5a not, N9 pending
    assert m["Order to comply compliance"] == "33.3%"   # N5b complied, N6 and N7a not
    captions = " ".join(c.value for c in at.caption)
    assert "Data as of 2026-06-30 18:00 EDT" in captions and "source: serving snapshot" in captions
    assert "Source: `fct_case_lifecycle`" in captions and "`fct_bylaw_cost_per_case`" in captions


def test_tables_and_charts(snapshot):
    at = run_page()
    officers = frame(at, "Badge")
    assert officers.to_dict("records") == [{"Officer": "BY-1", "Badge": "K1001", "Inspections": 13,
                                            "Notices and orders": 6, "Fines": 2, "Cases closed": 8}]
    works = frame(at, "Contractor")
    assert works["Contractor"].tolist() == ["Conestoga Yard Services"] and works["Cost ($)"].tolist() == [850.0]
    ch = charts(at)
    assert any("bylaw_aging_chart" in k for k in ch) and any("bylaw_cost_chart" in k for k in ch)
    cost = next(v for k, v in ch.items() if "bylaw_cost_chart" in k)
    xs = [x for t in cost["data"] for x in t["x"]]
    assert "long_grass" in xs
    emerging = frame(at, "Usual per week")
    assert ("type", "Noise") in set(zip(emerging["By"], emerging["What"]))
    assert "Graffiti" not in set(emerging["What"])
    trends = frame(at, "Complaint type").set_index("Complaint type")
    # the default period is the last 365 days (July 2025 - June 2026): June 2026 (13) and one a
    # week 5..23 weeks back (19); the 2025-06-15 one is the year before
    assert trends.loc["Noise", "Complaints"] == 13 + 19
    assert trends.loc["Noise", "Same months a year before"] == 1


def test_bylaw_type_and_ward_filters(snapshot):
    at = run_page()
    at.selectbox(key="bylaw_type").set_value("long_grass").run()
    assert not at.exception
    m = metrics(at)
    assert (m["Cases opened"], m["Remediation cost"], m["Fines issued"]) == ("2", "$850.00", "$0.00")
    at.selectbox(key="bylaw_type").set_value("__all__").run()
    at.selectbox(key="bylaw_ward").set_value("Ward 1").run()
    assert metrics(at)["Cases opened"] == "9"


def test_no_complainant_identity_on_the_page(snapshot):
    at = run_page()
    text = " ".join(str(e.value) for e in (*at.markdown, *at.caption, *at.metric, *at.info, *at.warning, *at.success))
    text += " ".join(d.value.to_csv() for d in at.dataframe)
    for needle in ("Zebulon", "Quarrington", "519-555", "Ophelia", "Reporterson", "@example.com", "Olive Ownerly"):
        assert needle not in text


def test_without_a_snapshot_the_page_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception
    assert any("No data published yet" in i.value for i in at.info)
    assert not at.metric
