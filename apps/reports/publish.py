"""Render a council report to files: what ``civic report council`` and the Dagster
report assets both call."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

from apps.reports import content, render
from apps.reports.period import Period

REPORTS_DIR = Path("reports") / "council"


def report_dir(data_dir: Path, period: Period) -> Path:
    """``$CIVIC_DATA_DIR/reports/council/<2026-10 | 2026-Q4>/``"""
    return Path(data_dir) / REPORTS_DIR / period.key


def publish(period: Period, serving_db: Path, out_dir: Path, formats: Iterable[str] = render.FORMATS,
            sections: Sequence[str] | None = None,
            progress: Callable[[str], None] | None = None) -> dict:
    """Build the report from the serving snapshot and write each format into ``out_dir``;
    returns what was written and the report's provenance (for logs and asset metadata)."""
    formats = list(formats)
    bad = [f for f in formats if f not in render.FORMATS]
    if bad:
        raise ValueError(f"format(s) {bad}: expected {', '.join(render.FORMATS)}")
    started = time.perf_counter()
    say = progress or (lambda _m: None)
    say(f"council report {period.key}: reading the marts")
    report = content.build_report(period, content.snapshot_query(serving_db), sections=sections)
    files = render.write(report, Path(out_dir), formats, progress=say)
    return {
        "period": period.key, "label": period.label,
        "files": [str(p) for p in files],
        "data_as_of": str(report.data_as_of), "partial": report.is_partial,
        "tables": len(report.tables()), "rows_withheld": sum(t.withheld for t in report.tables()),
        "min_count": report.min_count, "seconds": round(time.perf_counter() - started, 1),
    }
