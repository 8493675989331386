"""The ALPR engine: find plates in an image (YOLO detector), read each (CRNN reader), normalise
the text to a known plate format, and report a calibrated confidence.

    engine = PlateEngine()               # weights from vision/weights/ (or CIVIC_ALPR_WEIGHTS_DIR)
    for plate in engine.read(image_bgr): # -> list[PlateRead]
        plate.text, plate.confidence, plate.box
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from vision.formats import configured_regions, fit_to_format
from vision.reader import READER, PlateReader, calibrate, cut
from vision.train_detector import DETECTOR, WEIGHTS_DIR
from vision.video import iou

# Detector input size and the score under which a box is not a plate (env: CIVIC_ALPR_IMGSZ,
# CIVIC_ALPR_MIN_DETECTION).
IMGSZ = int(os.environ.get("CIVIC_ALPR_IMGSZ", "320"))
MIN_DETECTION = float(os.environ.get("CIVIC_ALPR_MIN_DETECTION", "0.25"))
# Each plate is read from crops at these margins around its box (share of the box's width;
# twice that of its height) and the likeliest fitted read is kept: the reader is sensitive to
# where the crop's edges fall, and a detector's box is looser or tighter than a label's.
CROP_MARGINS = (0.06, 0.0, 0.12)
# A detector's box on a photo is often loose (the plate's frame, a city line) or cuts a character
# off. ``read`` finds each plate again in a window around its box, zoomed so the plate spans
# about 1/REFINE_CONTEXT of the window's width (inside the range of sizes the detector was
# trained on, where its boxes are tightest), and reads both boxes (env: CIVIC_ALPR_REFINE_CONTEXT;
# 0 turns this off).
REFINE_CONTEXT = float(os.environ.get("CIVIC_ALPR_REFINE_CONTEXT", "3.0"))


def weights_dir() -> Path:
    return Path(os.environ.get("CIVIC_ALPR_WEIGHTS_DIR") or WEIGHTS_DIR)


@dataclass
class PlateRead:
    text: str  # normalised: upper-case letters and digits, fitted to a known format where one fits
    confidence: float  # calibrated probability that ``text`` is exactly right
    box: tuple[int, int, int, int]  # x, y, w, h in image pixels
    detection_confidence: float
    raw_text: str  # what the reader read before format fitting
    plate_format: str | None  # the layout the text was fitted to, with the regions using it ("ON:LLLLDDD", "US,BR:LLLDDDD")

    def as_dict(self) -> dict:
        d = asdict(self)
        d["box"] = list(self.box)
        d["confidence"] = round(self.confidence, 4)
        d["detection_confidence"] = round(self.detection_confidence, 4)
        return d


class PlateEngine:
    def __init__(self, weights: Path | None = None, imgsz: int = IMGSZ, min_detection: float = MIN_DETECTION,
                 formats: str | None = None):
        from vision.yolo_env import yolo

        folder = Path(weights or weights_dir())
        detector = folder / DETECTOR
        if not detector.is_file():
            raise FileNotFoundError(f"{detector}: no detector weights; build them with `civic alpr train-detector`")
        self.detector = yolo(detector)
        self.reader = PlateReader(folder / READER)
        self.imgsz, self.min_detection = imgsz, min_detection
        self.regions = configured_regions(formats)  # plate layouts reads are fitted to (vision/formats.py)

    def detect(self, image_bgr: np.ndarray) -> list[tuple[tuple[int, int, int, int], float]]:
        """Plate boxes (x, y, w, h) with the detector's score, best first."""
        res = self.detector.predict(image_bgr, imgsz=self.imgsz, conf=self.min_detection, device="cpu", verbose=False)[0]
        boxes = []
        for (x0, y0, x1, y1), score in zip(res.boxes.xyxy.numpy(), res.boxes.conf.numpy()):
            boxes.append(((int(x0), int(y0), int(x1 - x0), int(y1 - y0)), float(score)))
        return sorted(boxes, key=lambda b: -b[1])

    def refine(self, image_bgr: np.ndarray, box: tuple[int, int, int, int],
               context: float = REFINE_CONTEXT) -> tuple[int, int, int, int] | None:
        """The plate's box found again by the detector in a zoomed window around ``box`` (the
        new box overlapping the old most, at IoU 0.3 or more), or None."""
        x, y, w, h = box
        H, W = image_bgr.shape[:2]
        half_w, half_h = w * context / 2, h / 2 + w * context / 4  # about 2:1, and never shorter than the box
        cx, cy = x + w / 2, y + h / 2
        x0, y0 = int(max(0, cx - half_w)), int(max(0, cy - half_h))
        x1, y1 = int(min(W, cx + half_w)), int(min(H, cy + half_h))
        if x1 - x0 < 8 or y1 - y0 < 8:
            return None
        res = self.detector.predict(image_bgr[y0:y1, x0:x1], imgsz=self.imgsz, conf=0.1, device="cpu", verbose=False)[0]
        found = [(int(a) + x0, int(b) + y0, int(c - a), int(d - b)) for a, b, c, d in res.boxes.xyxy.numpy()]
        best = max(found, key=lambda f: iou(f, box), default=None)
        return best if best is not None and iou(best, box) >= 0.3 else None

    def read_boxes(self, image_bgr: np.ndarray, boxes: list[tuple[int, int, int, int]],
                   detection_scores: list[float] | None = None,
                   alternates: list[list[tuple[int, int, int, int]]] | None = None) -> list[PlateRead]:
        """Read the plates in given boxes (the detector's, or labelled ones): each box (and its
        ``alternates``, other boxes of the same plate) cut at every margin of CROP_MARGINS, all
        crops in one batch, the likeliest fitted read kept. The box reported is the given one."""
        candidates = [[b] + (alternates[i] if alternates else []) for i, b in enumerate(boxes)]
        k = len(CROP_MARGINS)
        reads = iter(self.reader.read([cut(image_bgr, c, margin=m) for cs in candidates for c in cs for m in CROP_MARGINS]))
        out = []
        for i, box in enumerate(boxes):
            fits = []
            for r in [next(reads) for _ in range(k * len(candidates[i]))]:
                fitted = fit_to_format(r.text, self.regions, r.log_probs)
                raw = fitted.raw_confidence if fitted.raw_confidence is not None else r.raw_confidence * fitted.probability_ratio
                fits.append((raw, fitted, r))
            raw, fitted, r = max(fits, key=lambda f: f[0])
            conf = calibrate(raw, self.reader.calibration)
            out.append(PlateRead(fitted.text, float(min(1.0, conf)), tuple(int(v) for v in box),
                                 detection_scores[i] if detection_scores else 1.0, r.text,
                                 f"{','.join(fitted.regions)}:{fitted.format}" if fitted.format else None))
        return out

    def read(self, image_bgr: np.ndarray) -> list[PlateRead]:
        """Every plate found in an image, read (each also from its refined box; see REFINE_CONTEXT)."""
        found = self.detect(image_bgr)
        boxes = [b for b, _ in found]
        refined = [[r] if REFINE_CONTEXT > 0 and (r := self.refine(image_bgr, b)) else [] for b in boxes]
        return self.read_boxes(image_bgr, boxes, [s for _, s in found], refined)
