"""The ALPR retention purge (warehouse/retention.py) on a hand-made lake and warehouse: what
goes, what stays, the audit record."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from data_contracts.sources import source
from warehouse.config import paths
from warehouse.lake import QUARANTINE_COLUMNS, landed_columns, to_table, write_parquet
from warehouse.retention import purge_non_hit_reads, read_audit

UTC = timezone.utc
NOW = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(hours=30)
RECENT = NOW - timedelta(hours=2)
LANDED = NOW - timedelta(hours=20)


def _reads(rows):
    cols = landed_columns(source("alpr_reads"))
    df = pd.DataFrame([{c: None for c, _ in cols} | r for r in rows])
    df["_delivered_on"] = pd.to_datetime(df["_delivered_on"])
    return to_table(df, cols)


@pytest.fixture
def world(data_dir):
    p = paths()
    base = {"plate": "ABC 123", "region": "ON", "confidence": 0.9, "lat": 43.45, "lon": -80.49, "camera_id": "C",
            "unit_id": "U", "officer_id": "O", "_batch_id": "alpr_reads-b1", "_source_file": "alpr_reads_2026-11-04.jsonl",
            "_row_number": 1, "_delivered_on": date(2026, 11, 4), "_landed_at": LANDED}
    day_old = [
        {**base, "read_id": "r1-nonhit", "captured_at": OLD},
        {**base, "read_id": "r2-hit", "captured_at": OLD},
        {**base, "read_id": "r3-chalk-of-hit", "captured_at": OLD - timedelta(hours=1)},
        {**base, "read_id": "r5-not-evaluated", "captured_at": OLD},
        {**base, "read_id": "r6-not-aggregated", "captured_at": OLD, "_landed_at": NOW - timedelta(hours=1)},
    ]
    write_parquet(_reads(day_old), p.lake / "alpr_reads" / "day=2026-11-04" / "alpr_reads-b1.parquet")
    write_parquet(_reads([{**base, "read_id": "r4-recent", "captured_at": RECENT, "_batch_id": "alpr_reads-b2"}]),
                  p.lake / "alpr_reads" / "day=2026-11-05" / "alpr_reads-b2.parquet")
    q = pd.DataFrame([{"source": "alpr_reads", "_batch_id": "alpr_reads-b1", "_source_file": "alpr_reads_2026-11-04.jsonl",
                       "_row_number": 9, "reason": "plate: bad_regex", "record": '{"plate": "??"}',
                       "_quarantined_at": OLD}])
    write_parquet(to_table(q, QUARANTINE_COLUMNS), p.quarantine / "alpr_reads" / "alpr_reads-b1.parquet")
    p.warehouse_db.parent.mkdir(parents=True)
    con = duckdb.connect(str(p.warehouse_db))
    con.execute("CREATE SCHEMA intermediate")
    con.execute("CREATE TABLE intermediate.int_plate_reads_evaluated (read_id VARCHAR, plate VARCHAR, is_hit BOOLEAN, first_read_id VARCHAR)")
    con.execute("INSERT INTO intermediate.int_plate_reads_evaluated VALUES "
                "('r1-nonhit', 'ABC 123', false, NULL), ('r2-hit', 'ABC 123', true, 'r3-chalk-of-hit'), "
                "('r3-chalk-of-hit', 'ABC 123', false, 'r3-chalk-of-hit'), ('r4-recent', 'ABC 123', false, NULL), "
                "('r6-not-aggregated', 'ABC 123', false, NULL)")
    con.execute("CREATE TABLE intermediate.int_plate_reads_aggregated_hourly (max_landed_at TIMESTAMPTZ)")
    con.execute("INSERT INTO intermediate.int_plate_reads_aggregated_hourly VALUES (?)", [LANDED])
    con.close()
    return p


def _lake_ids(p):
    return sorted(r for f in (p.lake / "alpr_reads").glob("day=*/*.parquet") for r in pq.read_table(f)["read_id"].to_pylist())


def test_purge_deletes_only_evaluated_aggregated_old_non_hits(world):
    p = world
    res = purge_non_hit_reads(p, now=NOW, retention_hours=24, run_id="run-1")
    assert res["skipped"] is None
    assert res["rows_purged"] == 1 and res["days"] == {"2026-11-04": 1} and res["files_rewritten"] == 1
    assert _lake_ids(p) == ["r2-hit", "r3-chalk-of-hit", "r4-recent", "r5-not-evaluated", "r6-not-aggregated"]
    con = duckdb.connect(str(p.warehouse_db), read_only=True)
    left = [r for (r,) in con.execute("SELECT read_id FROM intermediate.int_plate_reads_evaluated ORDER BY 1").fetchall()]
    con.close()
    assert "r1-nonhit" not in left and "r2-hit" in left
    # quarantined plate reads go too once past the window
    assert res["quarantine_rows_purged"] == 1
    assert pq.read_table(p.quarantine / "alpr_reads" / "alpr_reads-b1.parquet").num_rows == 0
    # the audit record says what, where, when, by which run and by which rule
    audit = read_audit(p).to_pylist()
    lake_rows = [a for a in audit if a["kind"] == "lake"]
    assert len(lake_rows) == 1
    a = lake_rows[0]
    assert (a["day"], a["batch_id"], a["rows_purged"], a["rows_kept"], a["run_id"]) == \
        ("2026-11-04", "alpr_reads-b1", 1, 4, "run-1")
    assert a["source_file"] == "alpr_reads_2026-11-04.jsonl" and "retention 24 h" in a["rule"]
    assert a["purged_at"] == NOW and a["cutoff"] == NOW - timedelta(hours=24)


def test_purge_again_changes_nothing_but_is_on_record(world):
    p = world
    purge_non_hit_reads(p, now=NOW, retention_hours=24, run_id="run-1")
    before = _lake_ids(p)
    res = purge_non_hit_reads(p, now=NOW + timedelta(minutes=1), retention_hours=24, run_id="run-2")
    assert res["rows_purged"] == 0 and _lake_ids(p) == before
    assert {a["run_id"] for a in read_audit(p).to_pylist()} == {"run-1", "run-2"}


def test_longer_retention_keeps_more(world, monkeypatch):
    monkeypatch.setenv("CIVIC_ALPR_RETENTION_HOURS", "48")
    res = purge_non_hit_reads(world, now=NOW)
    assert res["retention_hours"] == 48 and res["rows_purged"] == 0


def test_no_purge_without_aggregates_or_evaluation(world):
    con = duckdb.connect(str(world.warehouse_db))
    con.execute("DROP TABLE intermediate.int_plate_reads_aggregated_hourly")
    con.close()
    res = purge_non_hit_reads(world, now=NOW, retention_hours=24)
    assert res["skipped"] and res["rows_purged"] == 0 and len(_lake_ids(world)) == 6
