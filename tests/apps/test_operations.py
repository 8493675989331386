"""The Operations page through AppTest, against a snapshot with known revenue, occupancy,
meter and pricing figures (shift_ops_snapshot_fixture.py)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shift_ops_snapshot_fixture import write_shift_ops_snapshot
from snapshot_fixture import write_snapshot
from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_SCRIPT = REPO_ROOT / "apps" / "streamlit_app.py"
PAGE = REPO_ROOT / "apps" / "app_pages" / "operations.py"
AS_OF = "data as of 2025-11-21 17:45 EST"


def run_page() -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart(at: AppTest, key: str) -> dict:
    (c,) = [c for c in at.get("plotly_chart") if key in c.proto.id]
    return json.loads(c.proto.spec)


def _decode(v):
    if isinstance(v, dict) and "bdata" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        if "shape" in v:
            shape = v["shape"]
            shape = tuple(int(x) for x in shape.split(",")) if isinstance(shape, str) else tuple(shape)
            return arr.reshape(shape)
        return arr
    return np.array(v, dtype=float)


def test_page_is_in_the_parking_section(shift_ops_snapshot):
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60).run()
    at.switch_page("app_pages/operations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["Operations"]


def test_revenue_by_stream_zone_and_channel(shift_ops_snapshot):
    at = run_page()
    m = metrics(at)
    assert (m["Revenue"], m["Pay-by-plate"], m["Meters"], m["Ticket payments"]) == (
        "$335.50", "$205.50", "$50.00", "$80.00")
    table = at.dataframe[0].value
    assert list(table.index) == ["Z01", "Z02", "unknown zone", "All zones"]
    assert table.loc["Z01", "Pay-by-plate vendor A · app"] == pytest.approx(180.0)  # both days
    assert table.loc["Z01", "Meters · coin"] == pytest.approx(20.0)
    assert table.loc["Z02", "Pay-by-plate vendor B · phone"] == pytest.approx(25.5)
    assert table.loc["unknown zone", "Ticket payments · online"] == pytest.approx(30.0)
    assert table.loc["Z01", "Total"] == pytest.approx(280.0)
    assert table.loc["All zones", "Total"] == pytest.approx(335.5)
    bars = chart(at, "revenue_chart")
    assert sum(float(_decode(t["y"]).sum()) for t in bars["data"]) == pytest.approx(335.5)


def test_zone_and_date_filters(shift_ops_snapshot):
    at = run_page()
    at.selectbox(key="ops_zone").set_value("Z02").run()
    assert not at.exception
    assert metrics(at)["Revenue"] == "$25.50"
    assert metrics(at)["Uptime"] == "98.8%"  # Z02: 6 of 480 meter-hours down over the two days
    at.selectbox(key="ops_zone").set_value("__all__").run()
    at.date_input(key="ops_dates").set_value((dt.date(2025, 11, 20), dt.date(2025, 11, 20))).run()
    assert metrics(at)["Revenue"] == "$80.00"
    assert metrics(at)["Uptime"] == "100.0%"


def test_occupancy_heatmap_by_day_and_hour(shift_ops_snapshot):
    at = run_page()
    heat = chart(at, "occupancy_heatmap")["data"][0]
    z = _decode(heat["z"]) if isinstance(heat["z"], dict) else np.array(
        [[np.nan if v is None else v for v in row] for row in heat["z"]], dtype=float)
    days = list(heat["y"])
    assert days == ["2025-11-20", "2025-11-21"]
    assert _decode(heat["x"]).tolist() == list(range(24))
    assert z[1][9] == pytest.approx(75.0)   # BF1 50 % and BF2 100 %
    assert z[1][10] == pytest.approx(40.0)  # BF3 in Z02
    assert z[0][9] == pytest.approx(20.0)
    assert np.isnan(z[0][10])               # no patrol read


def test_meter_uptime_and_faults(shift_ops_snapshot):
    at = run_page()
    m = metrics(at)
    # 960 meter-hours over two days and two zones, 18 down
    assert (m["Uptime"], m["Faults"], m["Open faults"], m["Mean time to repair"]) == ("98.1%", "2", "1", "12.0 h")
    faults = at.dataframe[1].value
    assert list(faults["Meter"]) == ["M2", "M1"]  # newest first
    assert list(faults["Repaired"]) == ["open", "2025-11-21 17:00"]  # Toronto local time
    assert list(faults["Started"]) == ["2025-11-21 18:00", "2025-11-21 05:00"]
    assert list(faults["Hours out"]) == [6.0, 12.0]


def test_pricing_change_effect(shift_ops_snapshot):
    at = run_page()
    (row,) = at.dataframe[2].value.to_dict("records")
    assert row["Effective"] == "2025-11-20 05:00" and row["Zone"] == "Z01"
    assert row["Rate ($/h)"] == "2.00 → 3.00" and row["Blockfaces"] == 2
    assert (row["Occupancy before %"], row["Occupancy after %"], row["Occupancy Δ pts"]) == (75.0, 100.0, 25.0)
    # $36 over 8 spaces x 24 h before, $60 after
    assert row["$/space-hour before"] == pytest.approx(0.1875, abs=0.001)
    assert row["$/space-hour after"] == pytest.approx(0.3125, abs=0.001)
    assert row["Revenue Δ %"] == pytest.approx(66.7)
    detail = at.dataframe[3].value
    assert list(detail["blockface_id"]) == ["BF1", "BF2"]
    assert list(detail["revenue_per_space_hour_change_pct"]) == pytest.approx([50.0, 100.0])


def test_every_figure_says_its_source_and_as_of(shift_ops_snapshot):
    at = run_page()
    captions = [c.value for c in at.caption]
    assert captions[0].startswith("Data as of 2025-11-21 17:45 EST")
    sources = ["fct_revenue_daily", "fct_occupancy_hourly", "fct_meter_uptime_daily", "fct_pricing_changes"]
    assert len(captions) == 1 + len(sources)
    for caption, source in zip(captions[1:], sources):
        assert caption.startswith(f"Source: `{source}`") and AS_OF in caption


def test_empty_marts(tmp_path, monkeypatch):
    path = write_shift_ops_snapshot(tmp_path / "s.duckdb", revenue=[], occupancy=[], uptime=[], faults=[], pricing=[])
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_page()
    assert [i.value for i in at.info] == ["No operations data in this snapshot yet.",
                                          "No meter rate changes in this snapshot."]


def test_snapshot_without_the_operations_marts(tmp_path, monkeypatch):
    path = write_snapshot(tmp_path / "s.duckdb")  # an older pipeline's snapshot
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_page()
    assert any("Could not read the operations marts" in e.value for e in at.error)


def test_one_mart_missing_degrades_only_its_section(tmp_path, monkeypatch):
    path = write_shift_ops_snapshot(tmp_path / "s.duckdb", omit=["marts.fct_pricing_changes"])
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    at = run_page()
    assert metrics(at)["Revenue"] == "$335.50"
    assert [e.value for e in at.error if "pricing changes" in e.value]
    assert not [e.value for e in at.error if "revenue" in e.value]
    assert pd.notna(at.dataframe[0].value.loc["All zones", "Total"])
