"""The retention purge on a whole ci city: non-hit reads leave the lake and the warehouse,
hits stay, and after the next build the overview's plate reads and occupancy are what they
were (the aggregates are incremental and never lowered)."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from helpers import run_dbt

from warehouse.config import Paths
from warehouse.duck import connect_warehouse, refresh_raw_relations
from warehouse.retention import purge_non_hit_reads, read_audit

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _q(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET TimeZone = 'America/Toronto'")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


FIGURES = {
    "daily": "SELECT day, plate_reads, round(avg_occupancy_pct, 9) FROM marts.fct_daily_kpis ORDER BY day",
    "overview_occupancy": "SELECT value FROM marts.fct_overview_kpis WHERE kpi = 'avg_occupancy'",
    "hourly": "SELECT sum(reads), sum(distinct_plates), round(sum(occupancy_pct), 6) FROM intermediate.int_plate_reads_aggregated_hourly",
    "hits": "SELECT read_id, verdict, violation_type, is_scofflaw FROM marts.fct_alpr_hits ORDER BY read_id",
}


@pytest.fixture(scope="module")
def purged(ci_city, tmp_path_factory):
    """A copy of the city's lake and warehouse (its own paths), purged as of two days after the last day."""
    data = tmp_path_factory.mktemp("purge") / "data"
    for d in ("lake", "warehouse", "ground_truth"):
        shutil.copytree(ci_city / d, data / d)
    p = Paths(data)
    os.environ.pop("CIVIC_WAREHOUSE_PATH", None)
    con = connect_warehouse(p)
    refresh_raw_relations(con, p)  # the copy's views read the copy's lake
    con.close()
    db = p.warehouse_db
    before = {k: _q(db, sql) for k, sql in FIGURES.items()}
    reads_before = _q(db, "SELECT count(*) FROM raw.alpr_reads")[0][0]
    last_day = max(r[0] for r in before["daily"])
    now = datetime.combine(last_day + timedelta(days=2), time(12), tzinfo=timezone.utc)
    result = purge_non_hit_reads(p, now=now, retention_hours=24, run_id="pytest-purge")
    return p, before, reads_before, result


def test_non_hits_leave_the_lake_and_warehouse_hits_stay(purged):
    p, before, reads_before, result = purged
    db = p.warehouse_db
    assert result["skipped"] is None and result["rows_purged"] > 0.5 * reads_before
    reads_after = _q(db, "SELECT count(*) FROM raw.alpr_reads")[0][0]
    assert reads_after == reads_before - result["rows_purged"]
    n_hits = len(before["hits"])
    # what is left: hits and the reads that chalked them (and raw duplicates of those)
    left = _q(db, """SELECT count(DISTINCT r.read_id), count(DISTINCT r.read_id) FILTER (WHERE h.read_id IS NOT NULL)
                     FROM raw.alpr_reads AS r LEFT JOIN marts.fct_alpr_hits AS h USING (read_id)""")[0]
    assert left[1] == n_hits
    chalk = _q(db, "SELECT count(DISTINCT first_read_id) FROM marts.fct_alpr_hits WHERE first_read_id NOT IN "
                   "(SELECT read_id FROM marts.fct_alpr_hits)")[0][0]
    assert left[0] == n_hits + chalk
    assert _q(db, "SELECT count(*) FROM intermediate.int_plate_reads_evaluated WHERE NOT is_hit AND read_id NOT IN "
                  "(SELECT first_read_id FROM marts.fct_alpr_hits WHERE first_read_id IS NOT NULL)")[0][0] == 0
    # the staging table (incremental, not a view over the lake) lost the same reads
    assert _q(db, "SELECT count(*) FROM staging.stg_alpr__plate_reads")[0][0] == \
        _q(db, "SELECT count(DISTINCT read_id) FROM raw.alpr_reads")[0][0]
    audit = [a for a in read_audit(p).to_pylist() if a["kind"] == "lake"]
    assert sum(a["rows_purged"] for a in audit) == result["rows_purged"]
    assert {a["run_id"] for a in audit} == {"pytest-purge"} and all(a["day"] and a["batch_id"] for a in audit)


def test_overview_figures_survive_the_purge_and_a_rebuild(purged):
    p, before, _, _ = purged
    run_dbt(p.warehouse_db, p.data_dir.parent, "run", "-s", "int_plate_reads_aggregated_hourly+", "int_plate_reads_evaluated+")
    after = {k: _q(p.warehouse_db, sql) for k, sql in FIGURES.items()}
    assert after["daily"] == before["daily"]
    assert after["overview_occupancy"] == before["overview_occupancy"]
    assert after["hourly"] == before["hourly"]
    assert after["hits"] == before["hits"]


def test_the_scheduled_asset_runs_the_purge(purged, monkeypatch):
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.privacy import purge_non_hit_reads as asset

    p = purged[0]
    monkeypatch.setenv("CIVIC_DATA_DIR", str(p.data_dir))
    monkeypatch.delenv("CIVIC_WAREHOUSE_PATH", raising=False)
    res = dg.materialize([asset], instance=dg.DagsterInstance.ephemeral())
    assert res.success
    md = res.asset_materializations_for_node("purge_non_hit_reads")[0].metadata
    assert md["rows_purged"].value == 0  # already purged: nothing more to do
    assert any(a["run_id"] == res.run_id for a in read_audit(p).to_pylist())
    sched = defs.get_schedule_def("purge_non_hit_reads_schedule")
    assert sched.cron_schedule == "30 3 * * *" and sched.execution_timezone == "America/Toronto"
