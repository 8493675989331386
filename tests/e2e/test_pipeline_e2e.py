"""Simulate the ci city, run the whole pipeline, and reconcile the marts with the ground truth."""

import csv
import json
from collections import Counter

import duckdb
import pytest

from helpers import SHARED, civic

pytestmark = pytest.mark.slow




@pytest.fixture(scope="module")
def city(ci_city_run):
    data_dir, first = ci_city_run
    truth = json.loads((data_dir / "ground_truth" / "expected_counts.json").read_text())
    return data_dir, truth, first


@pytest.fixture
def wh(city):
    """A read-only look at the pipeline's warehouse, closed after each test (the pipeline is its one writer)."""
    data_dir = city[0]
    con = duckdb.connect(str(data_dir / "warehouse" / "civic.duckdb"), read_only=True)
    con.execute("SET TimeZone = 'America/Toronto'")
    yield con
    con.close()


def _q(con, sql):
    return con.execute(sql).fetchone()[0]


def test_every_row_landed_or_quarantined_and_quarantine_is_exactly_the_defects(city, wh):
    data_dir, truth, _ = city
    defects = Counter()
    expected_rows = set()
    with open(data_dir / "ground_truth" / "defects.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            defects[r["source"]] += 1
            expected_rows.add((r["source"], r["file"], int(r["row_number"])))
    got_rows = set(wh.execute("SELECT source, _source_file, _row_number FROM raw.quarantine").fetchall())
    assert got_rows == expected_rows
    for name, counts in truth["sources"].items():
        rows_in, landed, quarantined = wh.execute(
            "SELECT coalesce(sum(rows_in),0), coalesce(sum(landed),0), coalesce(sum(quarantined),0) "
            "FROM raw.ingest_batches WHERE source = ?", [name]).fetchone()
        assert rows_in == counts["rows_written"], name
        assert quarantined == counts["defect_rows"] == defects[name], name
        assert landed == counts["rows_written"] - counts["defect_rows"], name


def test_marts_reconcile_with_ground_truth(city, wh):
    truth = city[1]["totals"]
    assert _q(wh, "SELECT count(*) FROM marts.fct_tickets WHERE source_system = 'handheld'") == truth["tickets_issued"]
    assert round(_q(wh, "SELECT sum(fine_amount) FROM marts.fct_tickets WHERE source_system = 'handheld'"), 2) == \
        pytest.approx(truth["ticket_fines_total"], abs=0.005)
    assert _q(wh, "SELECT count(*) FROM marts.fct_ticket_payments") == truth["ticket_payments"]
    assert round(_q(wh, "SELECT sum(amount) FROM marts.fct_ticket_payments"), 2) == \
        pytest.approx(truth["ticket_payments_total"], abs=0.005)
    assert _q(wh, "SELECT count(*) FROM marts.fct_complaints") == truth["complaints"]
    assert _q(wh, "SELECT count(*) FROM staging.stg_alpr__plate_reads") == truth["alpr_reads"]
    assert _q(wh, "SELECT sum(plate_reads) FROM marts.fct_daily_kpis") == truth["alpr_reads"]
    assert _q(wh, "SELECT sum(tickets_issued) FROM marts.fct_daily_kpis") == truth["tickets_issued"]


def test_daily_kpis_match_ground_truth_day_by_day(city, wh):
    truth = city[1]
    rows = {str(d): (t, r, p, c) for d, t, r, p, c in wh.execute(
        "SELECT day, tickets_issued, plate_reads, revenue_ticket_payments, complaints_received FROM marts.fct_daily_kpis").fetchall()}
    for day, exp in truth["by_day"].items():
        t, r, p, c = rows[day]
        assert (t, r, c) == (exp["tickets_issued"], exp["alpr_reads"], exp["complaints"]), day
        assert p == pytest.approx(exp["ticket_payments_total"], abs=0.005), day


def test_snapshot_published_with_overview(city):
    data_dir = city[0]
    snap = duckdb.connect(str(data_dir / "serving" / "civic_serving.duckdb"), read_only=True)
    kpis = {k for (k,) in snap.execute("SELECT kpi FROM marts.fct_overview_kpis").fetchall()}
    assert kpis == {"revenue_today", "meter_uptime", "tickets_issued", "avg_occupancy", "open_cases",
                    "avg_resolution_days", "inspections_today", "order_compliance"}
    run_id, as_of = snap.execute("SELECT run_id, data_as_of FROM meta.snapshot_info").fetchone()
    assert run_id and as_of is not None
    assert snap.execute("SELECT count(*) FROM marts.fct_recent_activity").fetchone()[0] > 0
    # No complainant identity reaches the snapshot, and no plate in clear but the officers'
    # review queue of recent undecided detections.
    cols = {c for (c,) in snap.execute("SELECT column_name FROM information_schema.columns").fetchall()}
    assert not cols & {"caller_name", "caller_phone", "first_name", "last_name", "email", "phone"}
    assert snap.execute("SELECT table_schema || '.' || table_name FROM information_schema.columns "
                        "WHERE column_name = 'plate'").fetchall() == [("enforcement.enf_review_queue",)]
    snap.close()


def test_running_again_changes_nothing(city, ci_city_copy):
    data_dir, first = ci_city_copy, city[2]
    con = duckdb.connect(str(data_dir / "warehouse" / "civic.duckdb"), read_only=True)
    before = con.execute("SELECT count(*), sum(tickets_issued) FROM marts.fct_daily_kpis").fetchone()
    batches = con.execute("SELECT count(*) FROM raw.ingest_batches").fetchone()[0]
    con.close()
    second = json.loads(civic(data_dir, "pipeline", "run").strip().splitlines()[-1])
    assert second["ingest"]["rows_in"] == 0 and first["ingest"]["rows_in"] > 0
    con = duckdb.connect(str(data_dir / "warehouse" / "civic.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM raw.ingest_batches").fetchone()[0] == batches
    assert con.execute("SELECT count(*), sum(tickets_issued) FROM marts.fct_daily_kpis").fetchone() == before
    con.close()


def test_imported_toronto_tickets_reach_the_marts(city, ci_city_copy):
    """The real legacy extract lands beside the demo city and the marts count it too."""
    data_dir = ci_city_copy
    files = [SHARED / "data" / "toronto_parking_tickets" / f for f in ("tickets_monday.csv", "tickets_tuesday.csv")]
    if not files[0].exists():
        pytest.skip("../shared data not present")
    result = json.loads(civic(data_dir, "import", "toronto-tickets", *map(str, files)))
    per_day = Counter()
    for f in files:
        with open(f, newline="") as fh:
            for r in csv.DictReader(fh):
                if r["Address"].strip():
                    per_day[r["Issue_Date"]] += 1
    assert result["landed"] == sum(per_day.values())
    con = duckdb.connect(str(data_dir / "serving" / "civic_serving.duckdb"), read_only=True)
    n, fines = con.execute("SELECT count(*), sum(fine_amount) FROM marts.fct_tickets WHERE source_system = 'toronto_legacy'").fetchone()
    assert n == result["landed"] and round(fines, 2) == result["fine_total_landed"]
    daily = dict(con.execute("SELECT day::VARCHAR, tickets_issued FROM marts.fct_daily_kpis WHERE day < '2023-01-01' AND tickets_issued > 0").fetchall())
    assert daily == dict(per_day)
    # The overview still speaks of the city's latest day, not of the 2022 extract.
    assert con.execute("SELECT DISTINCT as_of_day::VARCHAR FROM marts.fct_overview_kpis").fetchall() == [(city[1]["end_date"],)]
    con.close()
