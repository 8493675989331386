"""The Data status page: snapshot info, source freshness, quarantine counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from snapshot_fixture import RUN_ID, write_snapshot
from streamlit.testing.v1 import AppTest

from apps import serving

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_SCRIPT = REPO_ROOT / "apps" / "streamlit_app.py"
CAPTION = (
    "Data as of 2025-11-21 17:45 EST · published 2025-11-22 01:02 EST · source: serving snapshot"
)


def run_data_status() -> AppTest:
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60).run()
    at.switch_page("app_pages/data_status.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value == "Data status"
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_snapshot_info_is_shown(snapshot_path):
    at = run_data_status()
    assert at.caption[0].value == CAPTION
    shown = metrics(at)
    assert shown["Data as of"] == "2025-11-21 17:45 EST"
    assert shown["Published"] == "2025-11-22 01:02 EST"
    assert shown["Pipeline run time"] == "12.0 min"
    assert any(RUN_ID in m.value for m in at.markdown)
    assert any(str(snapshot_path) in c.value for c in at.caption)


def test_source_freshness_and_quarantine_counts(snapshot_path):
    at = run_data_status()
    shown = metrics(at)
    assert shown["Rows landed"] == "159,850"
    assert shown["Rows quarantined"] == "15"
    assert shown["Quarantine rate"] == "0.01%"

    assert len(at.dataframe) == 1
    table = at.dataframe[0].value
    assert list(table["source"]) == ["alpr_reads", "meter_events", "paybyplate_sessions", "permits"]
    rows = table.set_index("source")
    assert rows.loc["meter_events", "rows_quarantined"] == 12
    assert rows.loc["paybyplate_sessions", "rows_quarantined"] == 3
    assert rows.loc["meter_events", "quarantine_pct"] == round(100 * 12 / 8412, 2)
    # data_as_of is 2025-11-21 (Toronto); permits last came 2025-11-17.
    assert rows.loc["permits", "days_behind"] == 4
    assert rows.loc["alpr_reads", "days_behind"] == 0
    assert rows.loc["paybyplate_sessions", "days_behind"] == 0  # delivered next morning
    assert rows.loc["alpr_reads", "status"] == "🟢 ok"
    assert rows.loc["meter_events", "status"] == "🟡 quarantined rows"
    assert rows.loc["permits", "status"] == "🟠 stale"

    warnings = " ".join(w.value for w in at.warning)
    assert "`meter_events`" in warnings and "`paybyplate_sessions`" in warnings
    assert "`permits`" in warnings
    assert not at.success


def test_all_clean_sources_show_success(tmp_path, monkeypatch):
    freshness = [
        dict(source="alpr_reads", latest_delivery=dt.date(2025, 11, 21), rows_landed=10, rows_quarantined=0),
    ]
    path = write_snapshot(tmp_path / "s.duckdb", freshness=freshness)
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_data_status()
    assert not at.warning
    assert at.success[0].value.startswith("All sources delivered")
    assert metrics(at)["Rows quarantined"] == "0"


def test_no_snapshot_shows_no_data_message(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(tmp_path / "nothing.duckdb"))
    at = run_data_status()
    assert [i.value for i in at.info] == [serving.NO_DATA_MESSAGE]
    assert len(at.metric) == 0


def test_missing_freshness_table_shows_error_not_exception(tmp_path, monkeypatch):
    path = write_snapshot(tmp_path / "s.duckdb", omit=["meta.source_freshness"])
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_data_status()
    assert any("source freshness" in e.value for e in at.error)
    assert metrics(at)["Data as of"] == "2025-11-21 17:45 EST"


def test_empty_snapshot_info(tmp_path, monkeypatch):
    path = write_snapshot(tmp_path / "s.duckdb", snapshot_info={})
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_data_status()
    assert at.caption[0].value == "Data as of — · published — · source: serving snapshot"
    assert any("unknown" in m.value for m in at.markdown)
