"""Next-day route plans on the built ci city: `civic routes plan` plans every shift of the
roster, officers of one zone never share a blockface, and the supervisors' page shows the
plan beside yesterday's actual tracks and exports it to the handheld."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from helpers import civic, copy_data_dir

pytestmark = pytest.mark.slow

PAGE = Path(__file__).resolve().parents[2] / "apps" / "app_pages" / "route_plans.py"
CLOSED = "BF-00001"  # the first blockface of zone Z01: every Z01 plan's default depot


@pytest.fixture(scope="module")
def planned(ci_city, tmp_path_factory):
    data_dir = copy_data_dir(ci_city, tmp_path_factory.mktemp("ci_city_routes") / "data")
    # a supervisor closes a blockface (road works): no plan may send anyone there
    (data_dir / "routing").mkdir()
    (data_dir / "routing" / "changes.json").write_text(json.dumps({"closures": [{"blockface_id": CLOSED}]}))
    summary = json.loads(civic(data_dir, "routes", "plan", "--time-limit", "1").strip().splitlines()[-1])
    return data_dir, summary


def test_every_shift_of_the_roster_gets_a_route_within_its_hours(planned):
    data_dir, summary = planned
    snap = duckdb.connect(str(data_dir / "serving" / "civic_serving.duckdb"), read_only=True)
    last = snap.execute("SELECT max(shift_date) FROM marts.fct_officer_shifts").fetchone()[0]
    day = dt.date.fromisoformat(summary["day"])
    assert day == last + dt.timedelta(days=1)  # the day after the data
    # the ci city has no week before: the latest day's roster, repeated
    roster = snap.execute("SELECT officer_id FROM marts.fct_officer_shifts WHERE shift_date = ? AND shift_hours > 0",
                          [last]).fetchall()
    snap.close()
    assert summary["roster"].startswith(f"the shifts of {last}")
    assert sorted(o for p in summary["plans"] for o in p["officer_ids"]) == sorted(o for (o,) in roster)
    folder = data_dir / "routing" / "plans" / f"day={day}"
    stops = pd.read_parquet(folder / "stops.parquet")
    assert summary["changes"]["closures"] == [CLOSED] and CLOSED not in set(stops["blockface_id"])
    for p in summary["plans"]:
        s = stops[stops["plan_id"] == p["plan_id"]]
        assert p["feasible"] and len(s) > 0 and p["expected_violations"] > 0
        start, end = pd.Timestamp(p["start"]), pd.Timestamp(p["end"])
        assert s["arrival"].min() >= start and s["departure"].max() <= end
        assert (s["zone_id"] == p["zone_id"]).all()
        # officers of one plan never share a blockface
        owners = s.groupby("blockface_id")["officer_id"].nunique()
        assert (owners == 1).all()


def test_the_page_shows_the_plan_beside_yesterday_and_exports_it(planned, monkeypatch):
    data_dir, summary = planned
    monkeypatch.setenv("CIVIC_DATA_DIR", str(data_dir))
    monkeypatch.delenv("CIVIC_SERVING_PATH", raising=False)
    from apps import serving

    serving.clear_caches()
    at = AppTest.from_file(str(PAGE), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    plan = summary["plans"][0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Officers"] == str(len(plan["officer_ids"]))
    assert metrics["Expected violations"] == f"{plan['expected_violations']:,.0f}"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t["name"] for t in spec["data"]]
    assert f"plan · {plan['officer_ids'][0]}" in names
    yesterday = dt.date.fromisoformat(summary["day"]) - dt.timedelta(days=1)
    assert any(n.startswith(f"{yesterday:%a} actual") for n in names), names
    captions = " ".join(c.value for c in at.caption)
    assert "Plans built" in captions and "data as of" in captions
    gpx = next(b for b in at.get("download_button") if b.proto.label == "GPX")
    assert gpx is not None
    # the export itself: the GPX the button serves parses and has a point per stop
    from routing.nightly import load_day, route_plan
    from routing.planner import to_gpx

    stops, officers, s = load_day(data_dir, dt.date.fromisoformat(summary["day"]))
    one = route_plan(stops, officers, s, plan["plan_id"], plan["officer_ids"][0])
    root = ET.fromstring(to_gpx(one))
    points = root.findall(".//{http://www.topografix.com/GPX/1/1}rtept")
    assert len(points) == len(one.stops) > 0


def test_the_nightly_asset_writes_the_next_days_plans(planned, monkeypatch):
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.routing import route_plans_next_day

    data_dir, summary = planned
    monkeypatch.setenv("CIVIC_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CIVIC_ROUTING_TIME_LIMIT_S", "1")
    for var in ("CIVIC_WAREHOUSE_PATH", "CIVIC_SERVING_PATH"):
        monkeypatch.delenv(var, raising=False)
    res = dg.materialize([route_plans_next_day], instance=dg.DagsterInstance.ephemeral())
    assert res.success
    md = res.asset_materializations_for_node("route_plans_next_day")[0].metadata
    assert md["day"].value == summary["day"] and md["plans"].value == len(summary["plans"])
    written = json.loads((data_dir / "routing" / "plans" / f"day={summary['day']}" / "plans.json").read_text())
    assert written["built_at"] > summary["built_at"]  # rebuilt by the asset
    sched = defs.get_schedule_def("route_plans_schedule")
    assert sched.cron_schedule == "0 4 * * *" and sched.execution_timezone == "America/Toronto"
