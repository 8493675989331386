"""Ultralytics, offline: no download, no auto-install, settings and its font inside the data dir.

Import ``ultralytics`` only through :func:`yolo` so these are set first (ultralytics reads
them at import time)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def prepare_offline(config_dir: Path | None = None) -> Path:
    """Set the environment ultralytics needs to run with no network; return its config dir."""
    from warehouse.config import paths

    config_dir = Path(config_dir or os.environ.get("YOLO_CONFIG_DIR") or paths().data_dir / "yolo_config")
    font = config_dir / "Ultralytics" / "Arial.ttf"
    if not font.exists():  # ultralytics would download Arial.ttf to label its plots
        import matplotlib

        font.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf", font)
    os.environ["YOLO_CONFIG_DIR"] = str(config_dir)
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_AUTOINSTALL"] = "false"
    os.environ.setdefault("YOLO_VERBOSE", "false")
    return config_dir


def yolo(weights: str | Path):
    """An ultralytics YOLO model from weights or a model yaml, offline."""
    prepare_offline()
    from ultralytics import YOLO

    return YOLO(str(weights))
