"""Ingestion: re-delivery changes nothing; raw relations and the serving snapshot."""

import duckdb

from helpers import deliver
from data_contracts.sources import SOURCES
from warehouse.config import paths
from warehouse.duck import connect_warehouse, publish_snapshot, refresh_raw_relations
import os

from warehouse.ingest import COMPACTED_RECORDS, LandingIndex, ingest_files, landing_files, unlanded_files

PAYMENTS = ("payment_id,ticket_number,paid_at,amount,channel,reference\n"
            "P1,T1,2026-10-30T10:00:00-04:00,30.00,online,abc\n"
            "P2,T2,2026-10-30T11:00:00-04:00,bad,online,\n")


def _lake_files(data_dir):
    return sorted(str(p.relative_to(data_dir)) for p in (data_dir / "lake").rglob("*.parquet"))


def test_redelivering_the_same_file_changes_nothing(data_dir):
    p = paths()
    deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-30.csv", PAYMENTS)
    [first] = ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
    before = _lake_files(data_dir)
    # The same content again, once as the same file and once under a new name and day.
    deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-31.csv", PAYMENTS)
    results = ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
    assert [r.skipped for r in results] == [True, True]
    assert all(r.batch_id == first.batch_id for r in results)
    assert _lake_files(data_dir) == before
    con = connect_warehouse(p)
    refresh_raw_relations(con, p)
    assert con.execute("SELECT count(*) FROM raw.ticket_payments").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0] == 1
    assert con.execute("SELECT rows_in, landed, quarantined FROM raw.ingest_batches").fetchall() == [(2, 1, 1)]


def test_landing_index_finds_new_files_without_hashing_and_is_only_a_cache(data_dir):
    p = paths()
    first = deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-30.csv", PAYMENTS)
    assert unlanded_files(p, "ticket_payments") == [first]
    ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
    assert unlanded_files(p, "ticket_payments") == []
    new = deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-31.csv", PAYMENTS.replace("P1,", "P3,"))
    assert unlanded_files(p, "ticket_payments") == [new]
    # A file touched after landing is hashed again, recognised, and indexed anew.
    st = first.stat()
    os.utime(first, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert first in unlanded_files(p, "ticket_payments")
    results = ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
    assert [r.skipped for r in results] == [True, False]
    assert unlanded_files(p, "ticket_payments") == []
    # Without the index every file is hashed again and nothing lands twice.
    (p.batches / "_landing_index.sqlite").unlink()
    results = ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
    assert [r.skipped for r in results] == [True, True]
    index = LandingIndex(p)
    assert index.batch_of("ticket_payments", new) == results[1].batch_id
    index.close()


def test_batch_records_are_merged_into_one_file_per_source_and_still_mark_files_landed(data_dir):
    p = paths()
    deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-30.csv", PAYMENTS)
    ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
    deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-31.csv", PAYMENTS.replace("P1,", "P3,"))
    first, second = ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
    assert (first.skipped, second.skipped) == (True, False)
    folder = p.batches / "ticket_payments"
    assert [f.name for f in folder.glob("*.parquet")] == [COMPACTED_RECORDS]
    con = connect_warehouse(p)
    refresh_raw_relations(con, p)
    assert sorted(con.execute("SELECT batch_id, rows_in, landed FROM raw.ingest_batches").fetchall()) == sorted(
        [(first.batch_id, 2, 1), (second.batch_id, 2, 1)])
    # Without the landing index, the merged records alone recognise both files.
    (p.batches / "_landing_index.sqlite").unlink()
    again = ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
    assert [(r.batch_id, r.skipped, r.landed) for r in again] == [(first.batch_id, True, 1), (second.batch_id, True, 1)]
    assert con.execute("SELECT count(*) FROM raw.ticket_payments").fetchone()[0] == 2


def test_raw_relations_exist_and_are_typed_before_any_delivery(data_dir):
    p = paths()
    con = connect_warehouse(p)
    made = refresh_raw_relations(con, p)
    assert set(made) == set(SOURCES) | {"quarantine", "ingest_batches"}
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_schema='raw' AND table_name='alpr_reads'").fetchall())
    assert types["captured_at"] == "TIMESTAMP WITH TIME ZONE" and types["confidence"] == "DOUBLE"
    assert types["_row_number"] == "BIGINT"
    assert con.execute("SELECT count(*) FROM raw.alpr_reads").fetchone()[0] == 0


def test_snapshot_is_swapped_atomically_and_readers_keep_their_copy(data_dir):
    p = paths()
    con = connect_warehouse(p)
    refresh_raw_relations(con, p)
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.fct_x AS SELECT 1 AS v")
    con.close()
    publish_snapshot(p, run_id="r1")
    reader = duckdb.connect(str(p.serving_db), read_only=True)
    assert reader.execute("SELECT v FROM marts.fct_x").fetchone() == (1,)
    con = connect_warehouse(p)
    con.execute("CREATE OR REPLACE TABLE marts.fct_x AS SELECT 2 AS v")
    con.close()
    publish_snapshot(p, run_id="r2")
    assert reader.execute("SELECT v FROM marts.fct_x").fetchone() == (1,)  # the open snapshot is unchanged
    reader.close()  # DuckDB shares one instance per path inside a process: reopen to see the new file
    fresh = duckdb.connect(str(p.serving_db), read_only=True)
    assert fresh.execute("SELECT v FROM marts.fct_x").fetchone() == (2,)
    assert fresh.execute("SELECT run_id FROM meta.snapshot_info").fetchone() == ("r2",)
    assert not list(p.serving_db.parent.glob(".*.tmp"))


def test_record_state_extracts_land_in_one_file_under_the_delivery_day(data_dir):
    """Permits re-delivered as they change span many issue days: by event day that would be
    one tiny file per issue day per delivery; they land under the delivery day instead."""
    p = paths()
    deliver(data_dir, "permits", "permits_2026-10-30.csv",
            "permit_id,permit_type,plate,province,permit_area_id,valid_from,valid_to,status,issued_at,fee\n"
            "PM1,residential,ABCD 123,ON,PA1,2026-01-01,2026-12-31,approved,2025-12-15T10:00:00-05:00,50\n"
            "PM2,residential,WXYZ 987,ON,PA1,2026-06-01,2026-12-31,revoked,2026-05-20T10:00:00-04:00,50\n")
    [batch] = ingest_files(p, "permits", landing_files(p, "permits"))
    assert batch.landed == 2
    assert [f for f in _lake_files(data_dir) if f.startswith("lake/permits/")] == \
        [f"lake/permits/day=2026-10-30/{batch.batch_id}.parquet"]


def test_the_same_content_twice_in_one_delivery_lands_once(data_dir):
    p = paths()
    deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-30.csv", PAYMENTS)
    deliver(data_dir, "ticket_payments", "ticket_payments_resent_2026-10-30.csv", PAYMENTS)
    results = ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
    assert sorted(r.skipped for r in results) == [False, True]
    assert len({r.batch_id for r in results}) == 1
    assert unlanded_files(p, "ticket_payments") == []
    con = connect_warehouse(p)
    refresh_raw_relations(con, p)
    assert con.execute("SELECT count(*) FROM raw.ticket_payments").fetchone()[0] == 1


def test_many_groups_land_in_parallel_workers_like_one(data_dir, monkeypatch):
    """Groups of a big source go to forked workers; the result is the same as one by one."""
    import warehouse.ingest as ingest

    p = paths()
    for d in range(1, 7):
        deliver(data_dir, "ticket_payments", f"ticket_payments_2026-10-{d:02d}.csv",
                PAYMENTS.replace("P1,T1,2026-10-30", f"P1{d},T1{d},2026-10-{d:02d}").replace("P2,", f"P2{d},"))
    monkeypatch.setattr(ingest, "GROUP_BYTES", 1)  # one file per group
    monkeypatch.setattr(ingest, "WORKERS", 2)
    results = ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
    assert [r.source_file for r in results] == [f.name for f in landing_files(p, "ticket_payments")]
    assert [(r.rows_in, r.landed, r.quarantined, r.skipped) for r in results] == [(2, 1, 1, False)] * 6
    assert unlanded_files(p, "ticket_payments") == []
    con = connect_warehouse(p)
    refresh_raw_relations(con, p)
    assert con.execute("SELECT count(*) FROM raw.ticket_payments").fetchone()[0] == 6
    assert con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0] == 6


WARM_WORKER_SCRIPT = """
import json, sys
from warehouse.config import paths
from warehouse.ingest import ingest_files, landing_files, start_landing_workers
start_landing_workers()
p = paths()
results = ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
print(json.dumps({"results": [[r.rows_in, r.landed, r.quarantined, r.skipped] for r in results],
                  "gx_in_parent": "great_expectations" in sys.modules}))
"""


def test_warm_landing_workers_land_files_and_keep_great_expectations_out_of_the_caller(data_dir):
    """The pipeline CLI forks its landing workers first: files land there like in-process,
    and the CLI process itself never pays for importing Great Expectations."""
    import json
    import subprocess
    import sys

    from helpers import REPO

    deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-30.csv", PAYMENTS)
    out = subprocess.run([sys.executable, "-c", WARM_WORKER_SCRIPT], cwd=REPO, env=dict(os.environ),
                         capture_output=True, text=True, timeout=300, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == {"results": [[2, 1, 1, False]], "gx_in_parent": False}
    con = connect_warehouse(paths())
    refresh_raw_relations(con, paths())
    assert con.execute("SELECT count(*) FROM raw.ticket_payments").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0] == 1
