"""Benchmark: generate + ingest + dbt build at a preset, against a bare-DuckDB baseline.

Each step runs as its own process under /usr/bin/time -v, so wall time and peak
memory (max RSS of the process and its children) are measured by the OS. The
baseline reads the same landing files with bare DuckDB and computes the same daily
figures the overview needs (reads, tickets, payments, complaints, session and meter
revenue per day): the floor the pipeline can approach.

    python bench/run_pipeline_bench.py --preset ci [--repeat 3] [--keep DIR]

Prints one JSON object per step and a summary with medians and the pipeline/baseline ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BASELINE = r"""
import sys, time, duckdb
land = sys.argv[1]
con = duckdb.connect()
con.execute("SET TimeZone='America/Toronto'")
t = time.perf_counter()
q = lambda s: con.execute(s).fetchall()
q(f"CREATE TABLE reads AS SELECT * FROM read_json('{land}/alpr_reads/*.jsonl', format='newline_delimited', ignore_errors=true, columns={{read_id:'VARCHAR', plate:'VARCHAR', captured_at:'TIMESTAMPTZ', lat:'DOUBLE', lon:'DOUBLE'}})")
q(f"CREATE TABLE tickets AS SELECT * FROM read_csv('{land}/handheld_tickets/*.csv', header=true, ignore_errors=true, all_varchar=true)")
q(f"CREATE TABLE pay AS SELECT * FROM read_csv('{land}/ticket_payments/*.csv', header=true, ignore_errors=true, all_varchar=true)")
q(f"CREATE TABLE sa AS SELECT * FROM read_csv('{land}/pbp_vendor_a_sessions/*.csv', header=true, ignore_errors=true, all_varchar=true)")
q(f"CREATE TABLE sb AS SELECT * FROM read_json('{land}/pbp_vendor_b_sessions/*.jsonl', format='newline_delimited', ignore_errors=true)")
q(f"CREATE TABLE me AS SELECT * FROM read_csv('{land}/meter_events/*.csv', header=true, ignore_errors=true, all_varchar=true)")
q(f"CREATE TABLE calls AS SELECT * FROM read_csv('{land}/calls_311/*.csv', header=true, ignore_errors=true, all_varchar=true)")
rows = q('''
WITH r AS (SELECT captured_at::DATE d, count(DISTINCT read_id) n FROM reads GROUP BY 1),
     t AS (SELECT try_cast(issued_at AS TIMESTAMPTZ)::DATE d, count(DISTINCT ticket_number) n, sum(try_cast(fine_amount AS DOUBLE)) f FROM tickets GROUP BY 1),
     p AS (SELECT try_cast(paid_at AS TIMESTAMPTZ)::DATE d, sum(try_cast(amount AS DOUBLE)) a FROM (SELECT DISTINCT * FROM pay) GROUP BY 1),
     s AS (SELECT try_cast(start_time_utc AS TIMESTAMPTZ)::DATE d, sum(try_cast(amount_cents AS DOUBLE))/100 a FROM (SELECT DISTINCT * FROM sa) GROUP BY 1
           UNION ALL SELECT try_cast(startDateTime AS TIMESTAMPTZ)::DATE, sum(try_cast(totalAmount AS DOUBLE)) FROM (SELECT DISTINCT * FROM sb) GROUP BY 1),
     m AS (SELECT try_cast(occurred_at AS TIMESTAMPTZ)::DATE d, sum(try_cast(amount AS DOUBLE)) a FROM me WHERE event_type LIKE 'payment%' GROUP BY 1),
     c AS (SELECT try_cast(received_at AS TIMESTAMP)::DATE d, count(*) n FROM calls GROUP BY 1)
SELECT r.d, r.n, t.n, t.f, p.a, (SELECT sum(a) FROM s WHERE s.d = r.d), m.a, c.n
FROM r LEFT JOIN t USING (d) LEFT JOIN p USING (d) LEFT JOIN m USING (d) LEFT JOIN c USING (d) ORDER BY 1''')
print(len(rows), "days", round(time.perf_counter() - t, 2), "s", file=sys.stderr)
"""


def timed(cmd: list[str], env: dict, stdout: bool = False) -> dict:
    """Run a command under /usr/bin/time -v; wall seconds and peak RSS in MiB (and its stdout)."""
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-v", *cmd], env=env, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    res = {"seconds": round(wall, 2), "peak_rss_mib": round(rss_kb / 1024)}
    if stdout:
        res["stdout"] = out.stdout
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="ci")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=1, help="repeat the whole measurement N times; medians reported")
    ap.add_argument("--keep", help="keep the data directory here instead of a temporary one")
    args = ap.parse_args()
    py = sys.executable
    runs = []
    for i in range(args.repeat):
        data = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix=f"bench-{args.preset}-"))
        if data.exists():
            shutil.rmtree(data)
        env = dict(os.environ, CIVIC_DATA_DIR=str(data), DO_NOT_TRACK="1")
        for v in ("CIVIC_WAREHOUSE_PATH", "CIVIC_SERVING_PATH", "DAGSTER_HOME"):
            env.pop(v, None)
        gen = timed([py, "-m", "civic.cli", "simulate", "--preset", args.preset, "--seed", str(args.seed)], env)
        pipe = timed([py, "-m", "civic.cli", "pipeline", "run"], env)
        base = timed([py, "-c", BASELINE, str(data / "landing")], env)
        size = sum(f.stat().st_size for f in (data / "landing").rglob("*") if f.is_file())
        run = {"preset": args.preset, "run": i + 1, "landing_mib": round(size / 2**20, 1), "generate": gen,
               "pipeline": pipe, "baseline_duckdb": base,
               "end_to_end_seconds": round(gen["seconds"] + pipe["seconds"], 2),
               "pipeline_over_baseline": round(pipe["seconds"] / base["seconds"], 2)}
        print(json.dumps(run), flush=True)
        runs.append(run)
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
    med = lambda f: statistics.median(f(r) for r in runs)  # noqa: E731
    print(json.dumps({"preset": args.preset, "runs": len(runs),
                      "median_generate_s": med(lambda r: r["generate"]["seconds"]),
                      "median_pipeline_s": med(lambda r: r["pipeline"]["seconds"]),
                      "median_baseline_s": med(lambda r: r["baseline_duckdb"]["seconds"]),
                      "median_end_to_end_s": med(lambda r: r["end_to_end_seconds"]),
                      "max_peak_rss_mib": max(max(r["generate"]["peak_rss_mib"], r["pipeline"]["peak_rss_mib"]) for r in runs),
                      "median_pipeline_over_baseline": med(lambda r: r["pipeline_over_baseline"])}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
