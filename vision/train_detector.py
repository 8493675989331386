"""Train the plate detector: ultralytics YOLO from a model yaml (no pretrained weights exist
here), on rendered scenes plus the real train-split photos; write the weights and the model card.

    civic alpr train-detector [--scenes N] [--epochs E] [--imgsz S] [--out vision/weights]
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from vision.dataset import build_detection_dataset
from vision.yolo_env import yolo

WEIGHTS_DIR = Path(__file__).parent / "weights"
DETECTOR = "plate_detector.pt"
MODEL_YAML = Path(__file__).parent / "models" / "plate_yolo11.yaml"


def default_real_folders() -> list[Path]:
    """The real labelled photos beside the repo (../shared/data/alpr_benchmark/*), if present,
    or CIVIC_ALPR_TRAIN_FOLDERS (os.pathsep-separated)."""
    env = os.environ.get("CIVIC_ALPR_TRAIN_FOLDERS")
    if env is not None:
        return [Path(p) for p in env.split(os.pathsep) if p]
    root = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "alpr_benchmark"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def train_detector(work: Path, out_dir: Path = WEIGHTS_DIR, scenes: int = 1000, epochs: int = 30,
                   imgsz: int = 320, batch: int = 16, seed: int = 0, model_yaml: str | None = None,
                   real_folders: list[Path] | None = None, log=lambda m: print(m, file=sys.stderr, flush=True)) -> dict:
    real_folders = default_real_folders() if real_folders is None else real_folders
    model_yaml = model_yaml or str(MODEL_YAML)
    t0 = time.perf_counter()
    log(f"rendering {scenes} scenes + real train-split photos from {', '.join(map(str, real_folders)) or 'none'}")
    data_yaml = build_detection_dataset(work / "dataset", scenes, real_folders, seed=seed, progress=log)
    t_data = time.perf_counter() - t0
    model = yolo(model_yaml)
    log(f"training {model_yaml} from scratch: {epochs} epochs at imgsz {imgsz} on the CPU")
    model.train(data=str(data_yaml), epochs=epochs, imgsz=imgsz, batch=batch, device="cpu", workers=2,
                pretrained=False, amp=False, plots=False, seed=seed, deterministic=False, project=str(work),
                name="train", exist_ok=True, verbose=False, patience=max(10, epochs // 3),
                # plates are not symmetric left-right
                fliplr=0.0, mosaic=1.0, close_mosaic=max(1, epochs // 5))
    best = work / "train" / "weights" / "best.pt"
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(best, out_dir / DETECTOR)
    metrics = model.val(data=str(data_yaml), imgsz=imgsz, device="cpu", plots=False, verbose=False)
    card = {
        "model": DETECTOR, "architecture": Path(model_yaml).name, "classes": ["plate"], "imgsz": imgsz,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "recipe": {"epochs": epochs, "batch": batch, "seed": seed, "pretrained": False, "fliplr": 0.0,
                   "scenes": scenes, "real_folders": [str(p) for p in real_folders], "real_split": "train half only"},
        "dataset": json.loads((work / "dataset" / "manifest.json").read_text()),
        "val_rendered_scenes": {"mAP50": round(float(metrics.box.map50), 4), "mAP50_95": round(float(metrics.box.map), 4),
                                "precision": round(float(metrics.box.mp), 4), "recall": round(float(metrics.box.mr), 4)},
        "seconds": {"render": round(t_data, 1), "total": round(time.perf_counter() - t0, 1)},
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU(s), {platform.python_version()}",
        "size_bytes": (out_dir / DETECTOR).stat().st_size,
    }
    (out_dir / "plate_detector.card.json").write_text(json.dumps(card, indent=1) + "\n")
    return card
