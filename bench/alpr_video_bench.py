"""Benchmark: `civic alpr video` on the project's test video (1280x720, 15 fps, 10 s).

Renders the test video (vision/test_video.py) into a temporary folder, then runs
`civic alpr video VIDEO --track TRACK` ``--repeat`` times (default 3), each in a fresh process
with its own data directory, and prints one JSON object: processing frames per second
(the command's own measure, model loading excluded; median and all runs), the wall time of
each whole command, whether processing kept up with the video's frame rate, and how many
reads came out against the number of cars in the video.

    .venv/bin/python bench/alpr_video_bench.py [--weights DIR] [--detect-every N] [--repeat 3]

Needs the trained weights (vision/weights/ or --weights / $CIVIC_ALPR_WEIGHTS_DIR).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", help="weights folder (default: the engine's)")
    ap.add_argument("--detect-every", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", help="keep the video and data directories under this folder")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from vision.test_video import render_test_video

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="alpr_video_bench_"))
    truth = render_test_video(base / "video")
    runs = []
    for k in range(args.repeat):
        env = dict(os.environ, CIVIC_DATA_DIR=str(base / f"data{k}"))
        cmd = [sys.executable, "-m", "civic.cli", "alpr", "video", truth["video"], "--track", truth["track"],
               "--detect-every", str(args.detect_every), "--quiet", "--list-reads"]
        if args.weights:
            cmd += ["--weights", args.weights]
        t0 = time.perf_counter()
        out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return out.returncode
        summary = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append({"fps": summary["fps"], "command_wall_s": round(wall, 2), "reads": summary["reads_emitted"],
                     "plates": sorted(r["plate"].replace(" ", "") for r in summary.get("reads", []))})
    cars = sorted(c["plate"] for c in truth["cars"])
    fps = [r["fps"] for r in runs]
    print(json.dumps({
        "benchmark": "civic alpr video", "video": {"size": truth["size"], "fps": truth["fps"], "frames": truth["frames"],
                                                   "cars": len(cars)},
        "detect_every": args.detect_every, "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
        "fps_median": statistics.median(fps), "fps_runs": fps, "realtime": statistics.median(fps) >= truth["fps"],
        "command_wall_s": [r["command_wall_s"] for r in runs],
        "reads_per_run": [r["reads"] for r in runs],
        "plates_exact": sum(p in cars for p in runs[-1]["plates"]), "truth_plates": cars, "read_plates": runs[-1]["plates"],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
