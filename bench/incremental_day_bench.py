"""Benchmark: one Toronto-scale day added to a warehouse that already holds a year.

    python bench/incremental_day_bench.py --year DIR [--repeat 3]

DIR is a data directory with the ``city`` preset (a year, Kitchener scale) simulated and
built, e.g. ``python bench/run_pipeline_bench.py --preset city --keep DIR``. It is never
changed: each repeat works on a copy (landing and lake files hard-linked, since a pipeline
run only adds files there; the warehouse, the landing index and Dagster's home copied).

The day: Toronto's daily volumes (about 150,000 plate reads, 80,000 pay-by-plate
sessions, 6,000 tickets) made from the year's last delivered day, replicated as often as
needed to reach them and moved to the next day. Every record gets a new id (``-N<i>`` for
replica i) and replica i's plates have their letters shifted by i, the same in every
source, so its reads meet its own sessions and tickets as the original's did. Every other
source's last day is moved to the next day once, with new ids too. Then ``civic pipeline run`` is timed under /usr/bin/time -v: it lands only
the new day's files and rebuilds the marts (the ALPR models are incremental).

With --nothing-new no day is added: the run lands nothing and rebuilds the marts, which
is what every run costs whatever it brings.

Prints one JSON object per run (with dbt's own node times) and a summary with medians.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.run_pipeline_bench import timed  # noqa: E402
from data_contracts.sources import PLATE, SOURCES  # noqa: E402
from warehouse.config import Paths  # noqa: E402
from warehouse.ingest import compact_batch_records  # noqa: E402

TARGETS = {"reads": 150_000, "sessions": 80_000, "tickets": 6_000}
# which daily volume each source follows (the others are moved once)
SCALED = {"alpr_reads": "reads", "pbp_vendor_a_sessions": "sessions", "pbp_vendor_b_sessions": "sessions",
          "meter_events": "sessions", "handheld_tickets": "tickets", "ticket_payments": "tickets",
          "ticket_disputes": "tickets", "dispute_decisions": "tickets"}
# The ids every record of the new day gets anew (``-N<replica>``): the keys of the event
# sources and the ids their records point at, so nothing of the new day replaces a record
# of the year (staging keeps the latest delivery of a key). Reference ids (blockfaces,
# zones, officers, meters) stay.
ID_FIELDS = {k for s in SOURCES.values() if s.event_time for k in s.key} | {"ticket_number", "dispute_id", "case_id"}
_DATED = re.compile(r"^(.*)_(\d{4}-\d{2}-\d{2})\.([a-z0-9]+)$")
_LEADING_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
LINKED = (".csv", ".jsonl", ".json", ".geojson", ".parquet")


def copy_year(year: Path, dest: Path) -> None:
    """landing/ and lake/ data files hard-linked (never rewritten by a run), the rest copied."""
    def link_or_copy(src, dst):
        rel = Path(src).relative_to(year)
        if rel.parts[0] in ("landing", "lake") and str(src).endswith(LINKED):
            os.link(src, dst)
        else:
            shutil.copy2(src, dst)
    shutil.copytree(year, dest, copy_function=link_or_copy)


def _next_day(text, days: int):
    if not isinstance(text, str):
        return text
    m = _LEADING_DATE.match(text)
    if not m:
        return text
    try:
        d = dt.date.fromisoformat(m.group(1)) + dt.timedelta(days=days)
    except ValueError:
        return text  # a defect row: keep it as delivered
    return d.isoformat() + text[10:]


def _shift_plate(plate, i: int):
    if not isinstance(plate, str) or i == 0:
        return plate
    return "".join(chr((ord(c) - 65 + i) % 26 + 65) if "A" <= c <= "Z" else c for c in plate)


def _transform(record: dict, src, i: int, days: int) -> dict:
    out = dict(record)
    for f in src.fields:
        if f.name not in out:
            continue
        if f.type in ("timestamp", "date"):
            out[f.name] = _next_day(out[f.name], days)
        elif f.regex == PLATE:
            out[f.name] = _shift_plate(out[f.name], i)
        elif f.name in ID_FIELDS and isinstance(out[f.name], str) and out[f.name]:
            out[f.name] = f"{out[f.name]}-N{i}"
    return out


def _replicate_jsonl(text: bytes, src, copies: int, days: int) -> bytes:
    out = io.BytesIO()
    lines = [ln for ln in text.split(b"\n") if ln.strip()]
    for i in range(copies):
        for ln in lines:
            try:
                rec = orjson.loads(ln)
            except orjson.JSONDecodeError:
                out.write(ln + b"\n")  # a malformed line stays malformed in every replica
                continue
            out.write(orjson.dumps(_transform(rec, src, i, days) if isinstance(rec, dict) else rec) + b"\n")
    return out.getvalue()


def _replicate_csv(text: str, src, copies: int, days: int) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for i in range(copies):
        for r in body:
            if len(r) != len(header):
                w.writerow(r)
                continue
            rec = _transform(dict(zip(header, r)), src, i, days)
            w.writerow([rec[h] for h in header])
    return out.getvalue()


def make_day(data: Path) -> dict:
    """Write the Toronto-scale day into data/landing; what was written, per source."""
    land = data / "landing"
    last = {}
    for name in SOURCES:
        dated = [(m.group(2), p) for p in (land / name).glob("*") if (m := _DATED.match(p.name))]
        if dated:
            last[name] = max(dated)
    day = max(d for d, _ in last.values())
    new_day = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()

    def count(name):
        d, p = last[name]
        if SOURCES[name].format == "jsonl":
            return sum(1 for ln in p.read_bytes().split(b"\n") if ln.strip())
        return max(0, sum(1 for _ in csv.reader(io.StringIO(p.read_text()))) - 1)

    base = {"reads": count("alpr_reads"),
            "sessions": count("pbp_vendor_a_sessions") + count("pbp_vendor_b_sessions"),
            "tickets": count("handheld_tickets")}
    copies = {k: max(1, round(TARGETS[k] / max(base[k], 1))) for k in TARGETS}
    written = {}
    for name, (d, p) in sorted(last.items()):
        if d != day:
            continue  # reference extracts delivered once, long ago
        src = SOURCES[name]
        n = copies[SCALED[name]] if name in SCALED else 1
        if src.format == "jsonl":
            data_out = _replicate_jsonl(p.read_bytes(), src, n, 1)
            target = land / name / f"{name}_{new_day}.jsonl"
            target.write_bytes(data_out)
            written[name] = sum(1 for ln in data_out.split(b"\n") if ln.strip())
        elif src.format == "csv":
            text = _replicate_csv(p.read_text(encoding="utf-8-sig"), src, n, 1)
            (land / name / f"{name}_{new_day}.csv").write_text(text)
            written[name] = text.count("\n") - 1
    return {"last_year_day": day, "new_day": new_day, "base": base, "copies": copies, "rows_written": written}


def warm_dbt_parse(data: Path, env: dict) -> None:
    """Untimed: dbt's parse state for the copy's warehouse path. In production the warehouse
    stays where it is and each run reuses the last run's parse state (warehouse/dbt_target);
    the copy has moved, and dbt re-parses everything when the warehouse path changes."""
    import subprocess

    target = data / "warehouse" / "dbt_target"
    subprocess.run([str(Path(sys.executable).parent / "dbt"), "parse", "--target-path", str(target),
                    "--log-path", str(target)],
                   cwd=REPO / "dbt_project", check=True, stdout=subprocess.DEVNULL,
                   env=dict(env, CIVIC_WAREHOUSE_PATH=str(data / "warehouse" / "civic.duckdb"),
                            DBT_PROFILES_DIR=str(REPO / "dbt_project")))


def dbt_node_times(run_results: Path) -> dict | None:
    """dbt's own count of the run: its elapsed time and the node time of models and tests
    (two threads: node time is about twice the elapsed)."""
    if not run_results.is_file():
        return None
    res = orjson.loads(run_results.read_bytes())
    kinds = {"model": 0.0, "test": 0.0}
    for r in res["results"]:
        kind = r["unique_id"].split(".")[0]
        if kind in kinds:
            kinds[kind] += r["execution_time"]
    return {"elapsed_s": round(res["elapsed_time"], 1), "nodes": len(res["results"]),
            "models_node_s": round(kinds["model"], 1), "tests_node_s": round(kinds["test"], 1)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--year", required=True, help="data directory holding the built city year (left unchanged)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--work", help="where to put the copies (default: a temporary folder beside --year)")
    ap.add_argument("--nothing-new", action="store_true",
                    help="add no day: what a run costs when nothing was delivered (the fixed cost)")
    args = ap.parse_args()
    year = Path(args.year).resolve()
    if not (year / "warehouse").is_dir():
        raise SystemExit(f"{year} has no built warehouse: run bench/run_pipeline_bench.py --preset city --keep {year}")
    runs = []
    for i in range(args.repeat):
        work = Path(tempfile.mkdtemp(prefix="bench-day-", dir=args.work or year.parent))
        data = work / "data"
        try:
            copy_year(year, data)
            # A year landed before batch records were merged holds one record file per landed
            # file; every landing since merges them (warehouse/ingest.py): bring the copy to that
            # steady state, untimed.
            for name in SOURCES:
                compact_batch_records(Paths(data), name)
            day = {"nothing_new": True} if args.nothing_new else make_day(data)
            env = dict(os.environ, CIVIC_DATA_DIR=str(data), DO_NOT_TRACK="1")
            for v in ("CIVIC_WAREHOUSE_PATH", "CIVIC_SERVING_PATH", "DAGSTER_HOME"):
                env.pop(v, None)
            warm_dbt_parse(data, env)
            # the year's last build left its results: a run that starts no dbt must not report them
            (data / "warehouse" / "dbt_target" / "run_results.json").unlink(missing_ok=True)
            pipe = timed([sys.executable, "-m", "civic.cli", "pipeline", "run"], env, stdout=True)
            result = json.loads(pipe.pop("stdout").strip().splitlines()[-1])
            run = {"run": i + 1, **day, "pipeline": pipe, "ingest": result.get("ingest"),
                   # the process's start-up (imports, definitions) is what the phases leave out
                   "phases_s": {"startup": round(pipe["seconds"] - result.get("seconds", 0), 1),
                                **result.get("phases_s", {})},
                   "dbt": dbt_node_times(data / "warehouse" / "dbt_target" / "run_results.json"),
                   # models and seeds dbt built, and those left as built (no changed input feeds them)
                   "dbt_assets": result.get("dbt")}
            print(json.dumps(run), flush=True)
            runs.append(run)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"runs": len(runs),
                      "median_pipeline_s": statistics.median(r["pipeline"]["seconds"] for r in runs),
                      "max_peak_rss_mib": max(r["pipeline"]["peak_rss_mib"] for r in runs),
                      "rows_in_median": statistics.median(r["ingest"]["rows_in"] for r in runs)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
