"""A day landed on top of a built warehouse gives the warehouse a build of everything at once gives.

The incremental models (staging of reads and sessions, the payments union, the read
verdicts, the shift and hourly aggregates, the hits) only add what landed since their last
build; this checks them, and every mart built on them, against the ci city built in one run.
"""

from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest

from helpers import civic, civic_run

pytestmark = pytest.mark.slow

SCHEMAS = ("staging", "intermediate", "marts")
# Lineage and build-time columns: when a row landed or was built, not what it says.
LINEAGE = {"_landed_at", "_inputs_landed_at", "max_landed_at", "ingested_at", "quarantined_at", "quarantined_date", "_batch_id",
           "_source_file", "_delivered_on", "_row_number"}


def _tables(con) -> list[tuple[str, str]]:
    return con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                       f"WHERE table_schema IN {SCHEMAS} AND table_type = 'BASE TABLE' ORDER BY 1, 2").fetchall()


def _content(con, schema: str, table: str) -> list[tuple]:
    cols = [(c, t) for c, t in con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                           "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                                           [schema, table]).fetchall()
            if c not in LINEAGE]
    # Sums of doubles depend on the order rows are added in (last digits only).
    select = ", ".join(f'round("{c}", 6)' if t in ("DOUBLE", "FLOAT") else f'"{c}"' for c, t in cols)
    return con.execute(f'SELECT {select} FROM "{schema}"."{table}" ORDER BY ALL').fetchall()


@pytest.fixture(scope="module")
def day_by_day(ci_city, tmp_path_factory):
    """The ci city's deliveries landed in two runs: all but the last delivery day, then that day."""
    data_dir = tmp_path_factory.mktemp("ci_city_two_runs") / "data"
    shutil.copytree(ci_city / "landing", data_dir / "landing")
    days = sorted({f.stem.rsplit("_", 1)[-1] for f in (data_dir / "landing").rglob("*_20??-??-??.*")})
    last = days[-1]
    held = tmp_path_factory.mktemp("held_back")
    moved = []
    for f in (data_dir / "landing").rglob(f"*_{last}.*"):
        target = held / f.relative_to(data_dir / "landing")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(f, target)
        moved.append((target, f))
    assert moved, "the ci city delivers files on its last day"
    first = json.loads(civic(data_dir, "pipeline", "run").strip().splitlines()[-1])
    for target, f in moved:
        shutil.move(target, f)
    second = json.loads(civic(data_dir, "pipeline", "run").strip().splitlines()[-1])
    assert first["ingest"]["landed"] > 0 and second["ingest"]["landed"] > 0
    # The first run built everything; the second left what only reference data feeds (the
    # ci city delivers blockfaces, zones, officers... once) as the first built it.
    assert first["dbt"]["reused"] == 0 and first["dbt"]["built"] > 0
    assert second["dbt"]["reused"] > 0 and second["dbt"]["built"] > 0
    return data_dir, last, second


def test_a_run_with_nothing_new_builds_nothing_and_keeps_the_snapshot(day_by_day):
    data_dir, _, _ = day_by_day
    serving = data_dir / "serving" / "civic_serving.duckdb"
    published = serving.stat().st_mtime_ns
    run = civic_run(data_dir, "pipeline", "run")
    third = json.loads(run.stdout.strip().splitlines()[-1])
    assert third["ingest"]["rows_in"] == 0
    assert third["dbt"] == {"built": 0, "reused": 0}
    assert third["phases_s"]["of_which_snapshot"] is None
    assert serving.stat().st_mtime_ns == published
    # What a user reads: the tests of nodes left as built are said once, in a short line, not
    # one warning per blocking test and a line listing every unyielded output.
    assert "Blocking asset check" not in run.stderr
    assert max(len(line) for line in run.stderr.splitlines()) < 400
    assert re.search(r"emitted no result for \d+ dbt test\(s\) of nodes left as built", run.stderr)
    assert re.search(r"\d+ blocking test\(s\) of such nodes not run again; nothing changed, the snapshot stands", run.stderr)


def test_a_snapshot_left_behind_by_the_last_build_is_published_without_building(day_by_day):
    """The last build succeeded but its snapshot was not published after it (the snapshot
    step failed, say): a run with nothing new publishes it again and builds nothing."""
    import os

    data_dir, _, _ = day_by_day
    serving = data_dir / "serving" / "civic_serving.duckdb"
    state = data_dir / "warehouse" / "build_state.json"
    before = serving.stat().st_mtime
    os.utime(state, (before + 60, before + 60))
    with duckdb.connect(str(serving), read_only=True) as con:
        marts = _tables_in(con, "marts")
    run = json.loads(civic(data_dir, "pipeline", "run").strip().splitlines()[-1])
    assert run["ingest"]["rows_in"] == 0
    assert run["dbt"]["built"] == 0 and run["dbt"]["reused"] > 0
    assert run["phases_s"]["of_which_snapshot"] is not None
    assert serving.stat().st_mtime > before
    with duckdb.connect(str(serving), read_only=True) as con:
        assert _tables_in(con, "marts") == marts and len(marts) > 10


def _tables_in(con, schema: str) -> list[tuple[str, int]]:
    names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                                       "ORDER BY 1", [schema]).fetchall()]
    return [(n, con.execute(f'SELECT count(*) FROM "{schema}"."{n}"').fetchone()[0]) for n in names]


def test_a_day_added_to_a_built_warehouse_builds_what_one_build_of_everything_builds(ci_city, day_by_day):
    data_dir, last, _ = day_by_day
    once = duckdb.connect(str(ci_city / "warehouse" / "civic.duckdb"), read_only=True)
    twice = duckdb.connect(str(data_dir / "warehouse" / "civic.duckdb"), read_only=True)
    for con in (once, twice):
        con.execute("SET TimeZone = 'America/Toronto'")
    tables = _tables(once)
    assert _tables(twice) == tables
    assert ("intermediate", "int_parking_payments_unioned") in tables
    differ = [f"{s}.{t}" for s, t in tables if _content(once, s, t) != _content(twice, s, t)]
    assert differ == [], f"tables that differ after landing {last} on its own: {differ}"
    # and the day really was added by the second build
    assert twice.execute("SELECT count(*) FROM intermediate.int_plate_reads_evaluated "
                         "WHERE captured_date = ?", [last]).fetchone()[0] > 0
    once.close()
    twice.close()
