"""Benchmark: the council report of one period, from a built data directory's serving
snapshot — reading the marts (content), then each format — repeated, medians printed.

    python bench/council_report_bench.py --data DIR --period 2026-10 [--repeat 3]

Prints one JSON object per repeat and a summary: median seconds per step, tables,
charts, PDF pages and sizes, peak memory of this process and of its children (the
Chromium that draws the charts).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", required=True, help="a CIVIC_DATA_DIR with a published serving snapshot")
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from apps.reports import content, render
    from apps.reports.period import parse_period

    snapshot = Path(args.data) / "serving" / "civic_serving.duckdb"
    period = parse_period(args.period)
    runs = []
    for i in range(args.repeat):
        run = {"repeat": i + 1}
        t = time.perf_counter()
        report = content.build_report(period, content.snapshot_query(snapshot))
        run["content_s"] = round(time.perf_counter() - t, 3)
        for fmt in render.FORMATS:
            t = time.perf_counter()
            data = render.render(report, fmt)
            run[f"{fmt}_s"] = round(time.perf_counter() - t, 3)
            run[f"{fmt}_bytes"] = len(data)
            if fmt == "pdf":
                from pypdf import PdfReader
                import io

                run["pdf_pages"] = len(PdfReader(io.BytesIO(data)).pages)
        run["tables"] = len(report.tables())
        run["rows"] = sum(len(t.frame) for t in report.tables())
        runs.append(run)
        print(json.dumps(run), flush=True)
    med = {k: round(statistics.median(r[k] for r in runs), 3) for k in ("content_s", "pdf_s", "xlsx_s", "csv_s")}
    print(json.dumps({
        "summary": True, "data": args.data, "period": period.key, "repeats": args.repeat, "median": med,
        "total_median_s": round(sum(med.values()), 3), "pdf_pages": runs[-1]["pdf_pages"], "tables": runs[-1]["tables"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_children_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
