"""The Overview page, run through the real entry point with AppTest against a
serving snapshot with known values (see snapshot_fixture.py)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pytest
from snapshot_fixture import (
    DATA_AS_OF,
    DEFAULT_KPIS,
    EXPECTED_TILES,
    default_activity,
    default_daily,
    write_snapshot,
)
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from apps import serving

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_SCRIPT = REPO_ROOT / "apps" / "streamlit_app.py"
PAGES_DIR = REPO_ROOT / "apps" / "app_pages"
UTC = dt.timezone.utc
PARKING = ["revenue_today", "meter_uptime", "tickets_issued", "avg_occupancy"]
BYLAW = ["open_cases", "avg_resolution_days", "inspections_today", "order_compliance"]
LABELS = {k["kpi"]: k["label"] for k in DEFAULT_KPIS}
CAPTION = (
    "Data as of 2025-11-21 17:45 EST · published 2025-11-22 01:02 EST · source: serving snapshot"
)
ICONS = {
    "alpr_violation_detected": ":material/photo_camera:",
    "permit_approved": ":material/verified:",
    "meter_fault": ":material/build:",
    "online_payment": ":material/payments:",
    "pricing_change": ":material/sell:",
    "complaint_received": ":material/campaign:",
    "order_issued": ":material/gavel:",
}


def run_app() -> AppTest:
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, object]:
    return {m.label: m for m in at.metric}


def feed_items(at: AppTest) -> list[str]:
    icons = tuple(ICONS.values()) + (":material/radio_button_checked:",)
    return [m.value for m in at.markdown if m.value.startswith(icons)]


def feed_titles(at: AppTest) -> list[str]:
    return [re.search(r"\*\*(.+?)\*\*", item).group(1) for item in feed_items(at)]


def chart_series(at: AppTest) -> tuple[list[str], list[float]]:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    trace = json.loads(charts[0].proto.spec)["data"][0]
    y = trace["y"]
    if isinstance(y, dict):  # plotly's typed-array encoding
        y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"])).tolist()
    return [str(x)[:10] for x in trace["x"]], [float(v) for v in y]


# --------------------------------------------------------------------------- #
# KPI tiles
# --------------------------------------------------------------------------- #


def test_page_frame_and_as_of_caption(snapshot_path):
    at = run_app()
    assert at.title[0].value == "Civic Enforcement Platform"
    assert at.header[0].value == "Overview"
    assert CAPTION in [c.value for c in at.caption]
    # The caption comes first on the page, before the tiles.
    assert at.caption[0].value == CAPTION


def test_eight_kpi_tiles_show_values_and_deltas(snapshot_path):
    at = run_app()
    assert [m.label for m in at.metric] == [LABELS[k] for k in PARKING + BYLAW]
    shown = metrics(at)
    for kpi, (value, delta) in EXPECTED_TILES.items():
        m = shown[LABELS[kpi]]
        assert m.value == value, kpi
        assert (m.delta or None) == delta, kpi
    assert [s.value for s in at.subheader][:2] == ["Parking", "Bylaw"]


def test_delta_colours_follow_which_direction_is_good(snapshot_path):
    shown = metrics(run_app())
    colour = {kpi: shown[LABELS[kpi]].proto.color for kpi in EXPECTED_TILES}
    direction = {kpi: shown[LABELS[kpi]].proto.direction for kpi in EXPECTED_TILES}
    C, D = MetricProto.MetricColor, MetricProto.MetricDirection
    assert colour["revenue_today"] == C.GREEN and direction["revenue_today"] == D.UP
    assert colour["meter_uptime"] == C.RED and direction["meter_uptime"] == D.DOWN
    assert colour["order_compliance"] == C.GREEN
    # Lower is better: more open cases is red, shorter resolution is green.
    assert colour["open_cases"] == C.RED and direction["open_cases"] == D.UP
    assert colour["avg_resolution_days"] == C.GREEN and direction["avg_resolution_days"] == D.DOWN
    # Neutral KPIs and a zero change are gray.
    assert colour["tickets_issued"] == C.GRAY
    assert colour["inspections_today"] == C.GRAY and direction["inspections_today"] == D.NONE


def test_tile_help_gives_as_of_day_baseline_and_sources(snapshot_path):
    shown = metrics(run_app())
    revenue = shown["Revenue today"]
    assert "As of **2025-11-21**" in revenue.help
    assert r"Baseline: **\$42,875.00** (vs. 30-day average)" in revenue.help
    # The mart's "model (upstream, ...)" form, each name as code.
    assert (
        "Source: `fct_daily_kpis` (`stg_paybyplate__sessions`, `stg_meters__events`, "
        "`fct_ticket_payments`)" in revenue.help
    )
    assert revenue.proto.delta_description == "vs. 30-day average"
    # A plain label is phrased as a comparison.
    assert shown["Tickets issued"].proto.delta_description == "vs. same weekday last week"
    occupancy = shown["Avg occupancy"].help
    assert "Baseline: not available" in occupancy and "`fct_zone_occupancy`" in occupancy
    assert shown["Avg occupancy"].proto.delta_description == ""  # no delta, no description
    assert "`fct_orders`, `int_order_compliance_evaluated`" in shown["Order compliance"].help


def test_missing_and_extra_kpis(tmp_path, monkeypatch):
    kpis = [k for k in DEFAULT_KPIS if k["kpi"] != "open_cases"] + [
        dict(kpi="disputes_open", label="Open disputes", value=42.0, unit="count",
             as_of_day=dt.date(2025, 11, 21), baseline_value=None, baseline_label=None,
             change_pct=None, source_models="fct_disputes"),
    ]
    path = write_snapshot(tmp_path / "s.duckdb", kpis=kpis)
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    shown = metrics(run_app())
    assert shown["Open cases"].value == "—"
    assert shown["Open disputes"].value == "42"
    assert len(shown) == 9


def test_replaced_snapshot_is_read_without_restart(snapshot_path):
    at = run_app()
    assert metrics(at)["Revenue today"].value == "$48,213.50"
    kpis = [dict(k) for k in DEFAULT_KPIS]
    kpis[0].update(value=1234.5, change_pct=-50.0)
    write_snapshot(snapshot_path, kpis=kpis)  # os.replace, like the pipeline
    at.run()
    assert not at.exception
    m = metrics(at)["Revenue today"]
    assert (m.value, m.delta) == ("$1,234.50", "-50.0%")


# --------------------------------------------------------------------------- #
# 30-day chart
# --------------------------------------------------------------------------- #


def test_daily_chart_shows_last_30_days_and_metric_selector_switches(snapshot_path):
    at = run_app()
    days, values = chart_series(at)
    # default_daily(): 40 days ending 2025-11-21, revenue_total = 1000 + 2k.
    assert len(days) == 30
    assert days[0] == "2025-10-23" and days[-1] == "2025-11-21"
    assert values == [1000.0 + 2 * k for k in range(10, 40)]

    at.selectbox(key="overview_chart_metric").set_value("Tickets issued").run()
    assert not at.exception
    days, values = chart_series(at)
    assert values == [100.0 + k for k in range(10, 40)]


# --------------------------------------------------------------------------- #
# Recent activity feed
# --------------------------------------------------------------------------- #


def test_feed_shows_latest_25_newest_first(snapshot_path):
    at = run_app()
    titles = feed_titles(at)
    # default_activity(30): Event 30 is the newest, inserted in shuffled order.
    assert titles == [f"Event {i:02d}" for i in range(30, 5, -1)]
    first = feed_items(at)[0]
    assert "2025-11-21 17:45" in first  # 22:45 UTC in Toronto (EST)
    assert first.startswith(ICONS["permit_approved"])  # Event 30 is a permit_approved


def test_feed_filter_by_type(snapshot_path):
    at = run_app()
    pills = at.button_group(key="activity_filter")
    assert len(pills.options) == 7

    pills.set_value(["meter_fault"]).run()
    assert not at.exception
    items = feed_items(at)
    # meter_fault is every 7th event starting with Event 03.
    assert feed_titles(at) == ["Event 24", "Event 17", "Event 10", "Event 03"]
    assert all(i.startswith(ICONS["meter_fault"]) and "Meter fault" in i for i in items)

    at.button_group(key="activity_filter").set_value(["meter_fault", "order_issued"]).run()
    assert feed_titles(at) == [
        "Event 28", "Event 24", "Event 21", "Event 17", "Event 14", "Event 10", "Event 07", "Event 03",
    ]

    at.button_group(key="activity_filter").set_value([]).run()
    assert len(feed_items(at)) == 25


def test_feed_times_are_toronto_local_across_dst(tmp_path, monkeypatch):
    activity = [
        dict(activity_at=dt.datetime(2025, 7, 1, 16, 0, tzinfo=UTC), activity_type="pricing_change",
             title="Summer rate", detail="Zone rate $3.50/h", zone_id="Z1", source_model="m"),
        dict(activity_at=dt.datetime(2025, 11, 21, 17, 0, tzinfo=UTC), activity_type="complaint_received",
             title="Winter complaint", detail="Snow not cleared", zone_id=None, source_model="m"),
        dict(activity_at=dt.datetime(2025, 11, 21, 16, 0, tzinfo=UTC), activity_type="new_kind",
             title="Unknown kind", detail=None, zone_id=None, source_model="m"),
    ]
    path = write_snapshot(tmp_path / "s.duckdb", activity=activity)
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_app()
    items = feed_items(at)
    assert feed_titles(at) == ["Winter complaint", "Unknown kind", "Summer rate"]
    assert "2025-11-21 12:00" in items[0]  # EST, UTC-5
    assert "2025-07-01 12:00" in items[2]  # EDT, UTC-4
    # Data is escaped: "$" must not start LaTeX.
    assert r"\$3.50/h" in items[2]
    assert items[1].startswith(":material/radio_button_checked:") and "New kind" in items[1]


def test_empty_feed_and_empty_marts(tmp_path, monkeypatch):
    path = write_snapshot(tmp_path / "s.duckdb", kpis=[], daily=[], activity=[])
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_app()
    infos = " ".join(i.value for i in at.info)
    assert "no overview KPIs" in infos
    assert "No daily figures" in infos
    assert "No activity" in infos
    assert len(at.metric) == 0


# --------------------------------------------------------------------------- #
# No snapshot / broken snapshot
# --------------------------------------------------------------------------- #


def test_no_snapshot_shows_no_data_message(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(tmp_path / "missing" / "civic_serving.duckdb"))
    at = run_app()
    assert [i.value for i in at.info] == ["No data published yet — run `civic pipeline run`"]
    assert len(at.metric) == 0
    assert not at.error


def test_no_snapshot_under_default_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path / "data"))
    at = run_app()
    assert at.info[0].value == serving.NO_DATA_MESSAGE
    # Once the pipeline publishes, the same session shows data.
    write_snapshot(tmp_path / "data" / "serving" / "civic_serving.duckdb")
    at.run()
    assert not at.exception and len(at.metric) == 8


def test_snapshot_missing_a_table_degrades_gracefully(tmp_path, monkeypatch):
    path = write_snapshot(tmp_path / "s.duckdb", omit=["marts.fct_recent_activity", "meta.snapshot_info"])
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_app()
    assert len(at.metric) == 8
    assert any("recent-activity feed" in e.value for e in at.error)
    assert any("metadata unavailable" in w.value for w in at.warning)
    assert at.caption[0].value.startswith("Data as of —")


@pytest.mark.parametrize("page", ["overview.py", "data_status.py"])
def test_pages_run_standalone(snapshot_path, page):
    """Each page script also runs on its own (as AppTest or a future multipage
    layout would run it), importing `apps` without the entry point's help."""
    at = AppTest.from_file(str(PAGES_DIR / page), default_timeout=60).run()
    assert not at.exception
    assert CAPTION in [c.value for c in at.caption]


def test_latest_event_in_fixture_is_data_as_of():
    # Guard for the fixture itself: the feed's newest event is DATA_AS_OF.
    assert max(r["activity_at"] for r in default_activity()) == DATA_AS_OF
    assert len(default_daily()) == 40


def test_empty_warehouse_snapshot(tmp_path, monkeypatch):
    """What the pipeline publishes before any delivery: eight KPI rows with NULL
    values and days, no daily rows, no activity, no data_as_of."""
    kpis = [
        dict(k, value=None, as_of_day=None, baseline_value=None, change_pct=None) for k in DEFAULT_KPIS
    ]
    info = dict(published_at=dt.datetime(2025, 11, 22, 6, 2, tzinfo=UTC), run_id="r0",
                data_as_of=None, pipeline_started_at=None)
    path = write_snapshot(tmp_path / "s.duckdb", kpis=kpis, daily=[], activity=[], snapshot_info=info)
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_app()
    assert len(at.metric) == 8
    assert {m.value for m in at.metric} == {"—"}
    assert all(m.delta == "" for m in at.metric)
    assert at.caption[0].value == (
        "Data as of — · published 2025-11-22 01:02 EST · source: serving snapshot"
    )
