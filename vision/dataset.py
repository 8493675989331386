"""Labelled plate photos (the alpr_benchmark folder format) and the detector's training set.

A labelled folder holds ``NAME.jpg`` + ``NAME.txt`` with one tab-separated line per plate:
``NAME.jpg  x  y  w  h  PLATE`` (top-left corner, size, upper-case text without spaces).

The real photos are split in two by a hash of their file name: the ``train`` half may be
used for training (as photos, as plate crops and, with the plates painted out, as
backgrounds), the ``holdout`` half never is, so figures on it say how the engine does on
photos it has not seen. ``civic alpr eval`` reports both.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vision.render import normalise, render_scene

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class LabelledPlate:
    x: int
    y: int
    w: int
    h: int
    text: str


@dataclass(frozen=True)
class LabelledImage:
    path: Path
    plates: tuple[LabelledPlate, ...]

    @property
    def split(self) -> str:
        return split_of(self.path.name)


def split_of(name: str) -> str:
    """``train`` or ``holdout``, fixed for a file name (half and half)."""
    return "train" if hashlib.sha1(name.encode()).digest()[0] % 2 == 0 else "holdout"


class DatasetError(ValueError):
    """A labelled folder that cannot be read, with the file and the reason."""


def read_labelled_folder(folder: Path) -> list[LabelledImage]:
    """Every image of a folder with its labels; an image without a label file is an error,
    and so is a label line that is not ``name x y w h plate``. Boxes are clamped to the image."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: not a folder")
    images = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise DatasetError(f"{folder}: no .jpg/.png images")
    out = []
    for img in images:
        label = img.with_suffix(".txt")
        if not label.is_file():
            raise DatasetError(f"{img}: no label file {label.name}")
        size = _image_size(img)
        plates = []
        for n, line in enumerate(label.read_text().splitlines(), 1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 6:
                raise DatasetError(f"{label}:{n}: expected 6 tab-separated fields (name x y w h plate), got {len(parts)}")
            try:
                x, y, w, h = (int(float(v)) for v in parts[1:5])
            except ValueError as e:
                raise DatasetError(f"{label}:{n}: box is not numeric: {parts[1:5]}") from e
            x0, y0 = max(0, x), max(0, y)
            x1, y1 = min(size[0], x + w), min(size[1], y + h)
            if x1 <= x0 or y1 <= y0:
                raise DatasetError(f"{label}:{n}: box {x},{y},{w},{h} lies outside the {size[0]}x{size[1]} image")
            plates.append(LabelledPlate(x0, y0, x1 - x0, y1 - y0, normalise(parts[5])))
        out.append(LabelledImage(img, tuple(plates)))
    return out


def _image_size(path: Path) -> tuple[int, int]:
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise DatasetError(f"{path}: not a readable image")
    return img.shape[1], img.shape[0]


def plates_painted_out(item: LabelledImage) -> np.ndarray:
    """The photo with its labelled plates inpainted: a background with no unlabelled plate."""
    img = cv2.imread(str(item.path))
    mask = np.zeros(img.shape[:2], np.uint8)
    for p in item.plates:
        pad = max(2, p.h // 4)
        cv2.rectangle(mask, (p.x - pad, p.y - pad), (p.x + p.w + pad, p.y + p.h + pad), 255, -1)
    return cv2.inpaint(img, mask, 5, cv2.INPAINT_TELEA)


def _yolo_line(box: tuple[int, int, int, int], w: int, h: int) -> str:
    x, y, bw, bh = box
    return f"0 {(x + bw / 2) / w:.6f} {(y + bh / 2) / h:.6f} {bw / w:.6f} {bh / h:.6f}"


def build_detection_dataset(out: Path, n_scenes: int, real_folders: list[Path], seed: int = 0,
                            scene_size: tuple[int, int] = (640, 480), real_repeats: int = 3,
                            val_share: float = 0.1, progress=None) -> Path:
    """Write an ultralytics dataset (images/, labels/, data.yaml) and return data.yaml's path.

    train: ``n_scenes`` rendered street scenes (backgrounds partly from the real train-split
    photos with their plates painted out) + the real train-split photos, ``real_repeats``
    times each (ultralytics augments every pass differently). val: rendered scenes only, so
    choosing the best epoch never looks at a real photo."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    for part in ("train", "val"):
        (out / "images" / part).mkdir(parents=True)
        (out / "labels" / part).mkdir(parents=True)
    rng = np.random.default_rng(seed)
    real = [item for folder in real_folders for item in read_labelled_folder(folder) if item.split == "train"]
    backgrounds = [plates_painted_out(item) for item in real]
    n_val = max(1, int(n_scenes * val_share))
    manifest = {"seed": seed, "scenes": n_scenes, "val_scenes": n_val, "real_train_photos": len(real),
                "real_repeats": real_repeats, "real_folders": [str(f) for f in real_folders]}
    for i in range(n_scenes):
        part = "val" if i < n_val else "train"
        img, plates = render_scene(rng, scene_size, photos=backgrounds)
        cv2.imwrite(str(out / "images" / part / f"scene{i:06d}.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
        h, w = img.shape[:2]
        (out / "labels" / part / f"scene{i:06d}.txt").write_text("".join(_yolo_line(b, w, h) + "\n" for b, _ in plates))
        if progress and (i + 1) % 200 == 0:
            progress(f"rendered {i + 1}/{n_scenes} scenes")
    for item in real:
        img = cv2.imread(str(item.path))
        h, w = img.shape[:2]
        lines = "".join(_yolo_line((p.x, p.y, p.w, p.h), w, h) + "\n" for p in item.plates)
        stem = f"real_{item.path.parent.name}_{item.path.stem}"
        for r in range(real_repeats):
            shutil.copyfile(item.path, out / "images" / "train" / f"{stem}_{r}{item.path.suffix.lower()}")
            (out / "labels" / "train" / f"{stem}_{r}.txt").write_text(lines)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    data_yaml = out / "data.yaml"
    data_yaml.write_text(f"path: {out.resolve()}\ntrain: images/train\nval: images/val\nnames:\n  0: plate\n")
    return data_yaml
