"""``civic alpr eval``: detection recall, exact read rate end to end and given the labelled box,
speed, and how well the confidence is calibrated, on a labelled folder of photos."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import cv2

from vision.dataset import read_labelled_folder
from vision.video import iou


def calibration_table(pairs: list[tuple[float, bool]], edges=(0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001)) -> list[dict]:
    """Reads grouped by reported confidence: how many, their mean confidence, how many were right."""
    rows = []
    for lo, hi in zip(edges, edges[1:]):
        sel = [(c, ok) for c, ok in pairs if lo <= c < hi]
        if sel:
            rows.append({"confidence": f"[{lo:.2f}, {min(hi, 1.0):.2f}]", "reads": len(sel),
                         "mean_confidence": round(statistics.fmean(c for c, _ in sel), 3),
                         "share_right": round(sum(ok for _, ok in sel) / len(sel), 3)})
    return rows


def expected_calibration_error(pairs: list[tuple[float, bool]], bins: int = 10) -> float | None:
    if not pairs:
        return None
    total = 0.0
    for k in range(bins):
        sel = [(c, ok) for c, ok in pairs if k / bins <= c < (k + 1) / bins or (k == bins - 1 and c == 1.0)]
        if sel:
            total += len(sel) * abs(statistics.fmean(c for c, _ in sel) - sum(ok for _, ok in sel) / len(sel))
    return round(total / len(pairs), 4)


def evaluate(folder: Path, engine=None, split: str = "all", progress=None) -> dict:
    """The figures of ``civic alpr eval`` for one folder (split: all, train or holdout — see
    vision/dataset.py; a folder that is not one of the project's benchmark folders is all holdout
    in spirit, and ``all`` is what to quote for it)."""
    from vision.engine import PlateEngine

    engine = engine or PlateEngine()
    items = [i for i in read_labelled_folder(folder) if split == "all" or i.split == split]
    plates = found = exact = given_box = 0
    times, e2e_pairs, box_pairs, misreads = [], [], [], []
    for n, item in enumerate(items, 1):
        img = cv2.imread(str(item.path))
        t = time.perf_counter()
        reads = engine.read(img)
        times.append((time.perf_counter() - t) * 1000)
        labelled = engine.read_boxes(img, [(p.x, p.y, p.w, p.h) for p in item.plates])
        for p, by_box in zip(item.plates, labelled):
            plates += 1
            best = max(reads, key=lambda r: iou(r.box, (p.x, p.y, p.w, p.h)), default=None)
            hit = best is not None and iou(best.box, (p.x, p.y, p.w, p.h)) >= 0.5
            found += hit
            right = hit and best.text == p.text
            exact += right
            if hit:
                e2e_pairs.append((best.confidence, right))
            given_box += by_box.text == p.text
            box_pairs.append((by_box.confidence, by_box.text == p.text))
            if not right:
                misreads.append({"image": item.path.name, "label": p.text,
                                 "read": best.text if hit else None, "read_given_box": by_box.text})
        if progress and n % 20 == 0:
            progress(f"{n}/{len(items)} images")
    ratio = (lambda a: round(a / plates, 4) if plates else None)
    return {
        "dataset": str(folder), "split": split, "images": len(items), "plates": plates,
        "detection_recall": ratio(found), "exact_read_rate": ratio(exact), "read_rate_given_box": ratio(given_box),
        "ms_per_image": round(statistics.median(times), 1) if times else None,
        "calibration": {"end_to_end": calibration_table(e2e_pairs), "given_box": calibration_table(box_pairs),
                        "ece_end_to_end": expected_calibration_error(e2e_pairs),
                        "ece_given_box": expected_calibration_error(box_pairs)},
        "misreads": misreads,
    }
