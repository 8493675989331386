"""Command line: ``python -m simulator --preset ci --seed 7 --out DIR [--end-date YYYY-MM-DD]``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from .presets import PRESETS


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="civic simulate", description="Generate the demo municipality's source extracts.")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="ci", help="scale: ci (5 days, tiny), city (Kitchener-like year), metro (Toronto-like year)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True, help="data directory (landing/ and ground_truth/ are written under it)")
    ap.add_argument("--end-date", type=dt.date.fromisoformat, default=None, help="last simulated day (default 2026-10-31)")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return ap


def stderr_progress(stage: str, frac: float) -> None:
    print(f"[{frac * 100:5.1f}%] {stage}", file=sys.stderr, flush=True)


def cli_main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .core import generate

    t0 = time.perf_counter()
    summary = generate(args.preset, args.seed, args.out, end_date=args.end_date,
                       progress=None if args.quiet else stderr_progress)
    if not args.quiet:
        print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    print(json.dumps({k: summary[k] for k in ("preset", "seed", "start_date", "end_date", "counts", "totals")}, indent=2))
    return 0
