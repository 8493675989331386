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

# Detector input size and the score under which a box is not a plate (env: CIVIC_ALPR_IMGSZ,
# CIVIC_ALPR_MIN_DETECTION).
IMGSZ = int(os.environ.get("CIVIC_ALPR_IMGSZ", "320"))
MIN_DETECTION = float(os.environ.get("CIVIC_ALPR_MIN_DETECTION", "0.25"))
# Each plate is read from crops at these margins around its box (share of the box's width;
# twice that of its height) and the likeliest fitted read is kept: the reader is sensitive to
# where the crop's edges fall, and a detector's box is looser or tighter than a label's.
CROP_MARGINS = (0.06, 0.0, 0.12)


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

    def read_boxes(self, image_bgr: np.ndarray, boxes: list[tuple[int, int, int, int]],
                   detection_scores: list[float] | None = None) -> list[PlateRead]:
        """Read the plates in given boxes (the detector's, or labelled ones): each box cut at
        every margin of CROP_MARGINS, all crops in one batch, the likeliest fitted read kept."""
        k = len(CROP_MARGINS)
        reads = self.reader.read([cut(image_bgr, b, margin=m) for b in boxes for m in CROP_MARGINS])
        out = []
        for i, box in enumerate(boxes):
            fits = []
            for r in reads[i * k:(i + 1) * k]:
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
        """Every plate found in an image, read."""
        found = self.detect(image_bgr)
        return self.read_boxes(image_bgr, [b for b, _ in found], [s for _, s in found])
