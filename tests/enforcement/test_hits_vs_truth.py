"""Hit detection over the ALPR stream against the simulator's ground truth (ci preset).

Truth per read: ``ground_truth/reads_truth.parquet`` (simulator/alpr_truth.py) says whether
the car was in violation at the instant it was read, and of what. It is the episode truth
of parking_episodes.parquet made consistent with what a read can know: every violation in
force at that instant counts (not only the episode's first), time limits run from the
first read of the car on the blockface that day (digital chalk: a camera never sees a car
arrive), a payment covers its plate in its zone whichever parking it was bought for, and
restricted spots (hydrant, accessible, signed stretches) are positions along the kerb.
With perfect reads (misread reads left out) precision and recall are at least 99%.
"""

from __future__ import annotations

import duckdb
import pytest

from enforcement.live import check_read

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def joined(ci_city):
    con = duckdb.connect(str(ci_city / "warehouse" / "civic.duckdb"), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE TEMP VIEW truth AS SELECT * FROM read_parquet('{ci_city / 'ground_truth' / 'reads_truth.parquet'}')")
    con.execute("""
        CREATE TEMP TABLE j AS
        SELECT t.read_id, t.is_misread, t.in_violation AS truth, t.violation_type AS truth_type,
               coalesce(t.violation_types, '') AS truth_types, e.verdict, e.violation_type AS detected_type,
               e.verdict = 'violation' AS detected
        FROM truth AS t JOIN intermediate.int_plate_reads_evaluated AS e USING (read_id)""")
    yield con
    con.close()


def test_every_read_is_evaluated(joined, ci_city):
    n_truth = joined.execute("SELECT count(*) FROM truth").fetchone()[0]
    assert joined.execute("SELECT count(*) FROM j").fetchone()[0] == n_truth > 5000


def test_precision_and_recall_with_perfect_reads(joined):
    tp, fp, fn, tn = joined.execute("""
        SELECT count(*) FILTER (WHERE detected AND truth), count(*) FILTER (WHERE detected AND NOT truth),
               count(*) FILTER (WHERE NOT detected AND truth), count(*) FILTER (WHERE NOT detected AND NOT truth)
        FROM j WHERE NOT is_misread""").fetchone()
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nperfect reads: {tp + fp + fn + tn} reads, {tp + fn} truly in violation; TP {tp}, FP {fp}, FN {fn}, TN {tn}; "
          f"precision {precision:.4f}, recall {recall:.4f}")
    print("confusion by violation type (truth's primary type x detected type):")
    for row in joined.execute("""
            SELECT coalesce(truth_type, '(compliant)') AS truth_type, coalesce(detected_type, '(' || verdict || ')') AS detected,
                   count(*) AS reads
            FROM j WHERE NOT is_misread AND (truth OR detected) GROUP BY ALL ORDER BY 1, 2""").fetchall():
        print(f"  {row[0]:<14} -> {row[1]:<18} {row[2]:>6}")
    assert tp > 500, "the ci city should have hundreds of violating reads"
    assert precision >= 0.99 and recall >= 0.99
    # and the type: the detected violation is one of those in force at the read
    agree = joined.execute("""
        SELECT avg(CASE WHEN list_contains(string_split(truth_types, ','), detected_type) THEN 1.0 ELSE 0.0 END)
        FROM j WHERE NOT is_misread AND detected AND truth""").fetchone()[0]
    print(f"detected type among the truth's types: {agree:.4f}")
    assert agree >= 0.99
    # every violation type the simulator produces is detected at least once
    missing = joined.execute("""
        SELECT list(DISTINCT truth_type) FROM j WHERE truth AND truth_type NOT IN
            (SELECT DISTINCT detected_type FROM j WHERE detected_type IS NOT NULL)""").fetchone()[0]
    assert not missing


def test_hits_mart_is_pseudonymised_and_carries_evidence(ci_city):
    con = duckdb.connect(str(ci_city / "serving" / "civic_serving.duckdb"), read_only=True)
    cols = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'fct_alpr_hits'").fetchall()}
    assert "plate" not in cols and "plate_key" not in cols and "plate_pseudonym" in cols
    assert {"read_id", "image_ref", "confidence", "first_read_at", "last_read_at", "scofflaw_unpaid_tickets",
            "scofflaw_unpaid_total", "reasons", "bylaw_code", "fine_amount"} <= cols
    bad = con.execute("""SELECT count(*) FROM marts.fct_alpr_hits
                         WHERE verdict = 'violation' AND (bylaw_code IS NULL OR fine_amount <= 0 OR reason IS NULL)
                            OR (verdict <> 'violation' AND NOT is_scofflaw)""").fetchone()[0]
    assert bad == 0
    assert con.execute("SELECT count(*) FROM marts.fct_alpr_hits").fetchone()[0] > 500
    # the live check's tables: pseudonyms only
    for t in ("enf_blockfaces", "enf_payments_recent", "enf_permits_active", "enf_exemptions_active",
              "enf_unpaid_tickets", "enf_reads_recent"):
        tcols = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                           "'enforcement' AND table_name = ?", [t]).fetchall()}
        assert tcols and "plate" not in tcols, t
    con.close()


def test_live_check_agrees_with_the_warehouse_on_the_latest_day(ci_city):
    """Reads of the snapshot's latest day (the live check has that day's reads for the
    chalk) checked one by one: the live verdict is the warehouse's."""
    con = duckdb.connect(str(ci_city / "warehouse" / "civic.duckdb"), read_only=True)
    rows = con.execute("""
        SELECT read_id, plate, captured_at, lat, lon, verdict, violation_type
        FROM intermediate.int_plate_reads_evaluated
        WHERE captured_date = (SELECT max(captured_date) FROM intermediate.int_plate_reads_evaluated)
        QUALIFY row_number() OVER (PARTITION BY coalesce(violation_type, verdict) ORDER BY hash(read_id)) <= 4""").fetchall()
    con.close()
    assert len({r[6] for r in rows if r[6]}) >= 3
    snap = ci_city / "serving" / "civic_serving.duckdb"
    for read_id, plate, at, lat, lon, verdict, vtype in rows:
        got = check_read(plate, at, lat, lon, serving_path=snap)
        assert (got["verdict"], got["violation_type"]) == (verdict, vtype), (read_id, got["reasons"])
