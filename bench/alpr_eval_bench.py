"""ALPR accuracy and speed on the real benchmark folders: `civic alpr eval` on each folder,
all photos and the holdout half (photos no model was trained on), plus the detector and reader
timed alone. Prints one JSON object per line.

    .venv/bin/python bench/alpr_eval_bench.py [--root ../shared/data/alpr_benchmark] [--imgsz 320]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from vision.engine import PlateEngine  # noqa: E402
from vision.evaluate import evaluate  # noqa: E402
from vision.formats import FORMATS  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "alpr_benchmark"))
    ap.add_argument("--imgsz", type=int, default=None)
    args = ap.parse_args()
    engine = PlateEngine(imgsz=args.imgsz) if args.imgsz else PlateEngine()
    print(json.dumps({"machine": f"{platform.machine()}, {os.cpu_count()} CPU(s)", "imgsz": engine.imgsz}))
    default_regions = engine.regions
    for folder in sorted(p for p in Path(args.root).iterdir() if p.is_dir()):
        # the default layouts (an Ontario city's), and the folder's own country where the engine
        # knows its layouts (like a camera's country setting)
        country = folder.name.upper()
        for regions in dict.fromkeys([default_regions] + ([(country,)] if country in FORMATS else [])):
            engine.regions = regions
            for split in ("all", "holdout"):
                r = evaluate(folder, engine, split=split)
                r.pop("misreads")
                print(json.dumps({"folder": folder.name, "formats": ",".join(regions), **r}), flush=True)
    engine.regions = default_regions
    # Detector alone on a 1280x720 frame, and the reader alone per crop (medians of 30).
    frame = cv2.resize(cv2.imread(str(next(Path(args.root).glob("br/*.jpg")))), (1280, 720))
    engine.detect(frame)
    det = []
    for _ in range(30):
        t = time.perf_counter()
        engine.detect(frame)
        det.append((time.perf_counter() - t) * 1000)
    crop = np.ascontiguousarray(frame[300:380, 500:760])
    rd = []
    for _ in range(30):
        t = time.perf_counter()
        engine.reader.read([crop])
        rd.append((time.perf_counter() - t) * 1000)
    # a plate as the engine reads it: its crops at every margin, fitted to the layouts
    per_plate = []
    for _ in range(30):
        t = time.perf_counter()
        engine.read_boxes(frame, [(500, 300, 260, 80)])
        per_plate.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"detector_ms_1280x720": round(statistics.median(det), 1),
                      "reader_ms_per_crop": round(statistics.median(rd), 2),
                      "read_ms_per_plate": round(statistics.median(per_plate), 2)}))


if __name__ == "__main__":
    main()
