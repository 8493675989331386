"""A short test video rendered by the project itself, with its GPS track and ground truth.

The scene: a patrol car drives along a street past parked cars; its side-facing camera sees
the parked cars' rears slide across the view (right to left), two at a time, with the
street's buildings sliding slower behind them (parallax), a pedestrian walking on the
sidewalk, and a curb-side post that passes in front of one car's plate. Plates are drawn by
vision/render.py (Ontario styles). Deterministic for a seed.

    truth = render_test_video("out/")   # out/alpr_test.mp4, out/alpr_test_track.csv, out/alpr_test_truth.json

The ground truth lists, per car, its plate (normalised and as printed), the frames on which
its plate is fully in the frame, and the plate's box on each frame where at least
``VISIBLE`` of it is seen (the post may hide part of it); per frame, the pedestrian's box.

Video: 1280x720, 15 fps, 10 s, MPEG-4 part 2 (``mp4v``): the codec this opencv build writes
and reads back offline (``avc1``/H.264 has no encoder here).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from vision.render import normalise, render_plate

VIDEO_NAME, TRACK_NAME, TRUTH_NAME = "alpr_test.mp4", "alpr_test_track.csv", "alpr_test_truth.json"
VISIBLE = 0.8  # share of a plate's width that must be unhidden for the plate to count as seen
START = "2026-10-31T12:50:00-04:00"
LAT0, LON0 = 43.4516, -80.4891  # Kitchener city centre, the demo city's
PATROL_SPEED_MS = 6.0  # the patrol car's speed, m/s (due east)


@dataclass
class Car:
    text: str  # as printed
    style: str
    x0: float  # left edge of the car at t = 0, px (moves left at ``speed``)
    width: int
    bottom: int
    body: tuple[int, int, int]
    sprite: np.ndarray | None = None
    mask: np.ndarray | None = None
    plate_box: tuple[int, int, int, int] = (0, 0, 0, 0)  # in the sprite


def _street(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A wide panorama: sky, storefronts with lettering (not plates), sidewalk, road."""
    img = np.zeros((height, width, 3), np.uint8)
    sky = np.linspace(235, 180, 200)[:, None, None] * np.array([1.0, 0.95, 0.85])[None, None, :]
    img[:200] = sky.astype(np.uint8)
    x = 0
    while x < width:
        w = int(rng.integers(180, 420))
        top = int(rng.integers(40, 170))
        colour = tuple(int(c) for c in rng.integers(60, 200, size=3))
        cv2.rectangle(img, (x, top), (x + w, 400), colour, -1)
        for wy in range(top + 20, 330, 55):
            for wx in range(x + 15, x + w - 40, 60):
                cv2.rectangle(img, (wx, wy), (wx + 32, wy + 34), (70, 60, 50), -1)
        if rng.random() < 0.7:  # a shop sign
            sy = int(rng.integers(top + 10, 300))
            cv2.rectangle(img, (x + 10, sy), (x + w - 10, sy + 36), tuple(int(c) for c in rng.integers(0, 255, size=3)), -1)
            word = "".join(rng.choice(list("ABCDEFGHIJKLMNOPRSTUVW"), size=int(rng.integers(4, 9))))
            cv2.putText(img, word, (x + 20, sy + 28), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (255, 255, 255), 2)
        x += w + int(rng.integers(0, 30))
    img[400:450] = (150, 155, 160)  # sidewalk
    for sx in range(0, width, 70):
        cv2.line(img, (sx, 400), (sx - 20, 450), (120, 125, 130), 2)
    img[450:] = (75, 78, 80)  # road
    img[450:458] = (200, 200, 200)  # curb
    return img


def _car_sprite(car: Car, rng: np.random.Generator) -> None:
    """The car's rear (body, rear window, lights, bumper) with its plate; motion-blurred."""
    w = car.width
    h = int(w * 0.92)
    pw = int(w * 0.31)
    plate = render_plate(car.text, car.style, rng, height=64)
    ph = int(pw * plate.shape[0] / plate.shape[1])
    spr = np.zeros((h, w, 3), np.uint8)
    mask = np.zeros((h, w), np.uint8)
    body = car.body
    dark = tuple(int(c * 0.55) for c in body)
    cv2.rectangle(spr, (int(w * 0.1), 0), (int(w * 0.9), int(h * 0.5)), body, -1)  # cabin
    cv2.rectangle(mask, (int(w * 0.1), 0), (int(w * 0.9), int(h * 0.5)), 255, -1)
    cv2.rectangle(spr, (int(w * 0.16), int(h * 0.06)), (int(w * 0.84), int(h * 0.44)), (45, 40, 38), -1)  # glass
    cv2.rectangle(spr, (0, int(h * 0.45)), (w, int(h * 0.93)), body, -1)
    cv2.rectangle(mask, (0, int(h * 0.45)), (w, h), 255, -1)
    for lx in (int(w * 0.03), int(w * 0.79)):
        cv2.rectangle(spr, (lx, int(h * 0.5)), (lx + int(w * 0.18), int(h * 0.6)), (30, 30, 210), -1)
    cv2.rectangle(spr, (0, int(h * 0.82)), (w, int(h * 0.93)), dark, -1)  # bumper
    cv2.rectangle(spr, (int(w * 0.06), int(h * 0.93)), (int(w * 0.24), h), (20, 20, 20), -1)  # tyres
    cv2.rectangle(spr, (int(w * 0.76), int(h * 0.93)), (int(w * 0.94), h), (20, 20, 20), -1)
    px, py = (w - pw) // 2, int(h * 0.62)
    spr[py:py + ph, px:px + pw] = cv2.resize(plate, (pw, ph), interpolation=cv2.INTER_AREA)
    k = 5  # motion blur along the direction of travel
    spr = cv2.filter2D(spr, -1, np.full((1, k), 1.0 / k, np.float32))
    car.sprite, car.mask, car.plate_box = spr, mask, (px, py, pw, ph)


def _paste(frame: np.ndarray, sprite: np.ndarray, mask: np.ndarray, x: int, y: int) -> None:
    fh, fw = frame.shape[:2]
    h, w = sprite.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(fw, x + w), min(fh, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    s = sprite[y0 - y:y1 - y, x0 - x:x1 - x]
    m = mask[y0 - y:y1 - y, x0 - x:x1 - x] > 0
    region = frame[y0:y1, x0:x1]
    region[m] = s[m]


def _person(frame: np.ndarray, x: int, y_feet: int, phase: float) -> tuple[int, int, int, int]:
    """A walking figure (head, coat, legs); returns its box."""
    h = 150
    top = y_feet - h
    cv2.circle(frame, (x, top + 14), 14, (140, 170, 205), -1)  # head
    cv2.rectangle(frame, (x - 18, top + 28), (x + 18, top + 95), (90, 40, 30), -1)  # coat
    swing = int(12 * np.sin(phase))
    cv2.line(frame, (x - 6, top + 95), (x - 6 + swing, y_feet), (40, 40, 60), 9)
    cv2.line(frame, (x + 6, top + 95), (x + 6 - swing, y_feet), (40, 40, 60), 9)
    return x - 20, top, 40, h


class StreetScene:
    """The scene's layout; ``frames()`` yields (frame, truth of that frame)."""

    def __init__(self, seed: int = 7, fps: float = 15.0, seconds: float = 10.0, size: tuple[int, int] = (1280, 720)):
        self.rng = np.random.default_rng(seed)
        self.fps, self.size = fps, size
        self.n_frames = int(round(fps * seconds))
        self.speed = 300.0  # px/s: the parked cars' image speed
        w, h = size
        self.panorama = _street(w + int(self.speed * 0.6 * seconds) + 10, h, self.rng)
        styles = ["on_current", "on_old", "on_current", "on_commercial", "on_current"]
        self.cars: list[Car] = []
        x = 600.0
        from vision.render import plate_text

        for style in styles:
            width = int(self.rng.integers(400, 470))
            body = tuple(int(c) for c in self.rng.integers(30, 230, size=3))
            car = Car(plate_text(style, self.rng), style, x, width, int(self.rng.integers(628, 652)), body)
            _car_sprite(car, self.rng)
            self.cars.append(car)
            x += width + float(self.rng.integers(100, 180))
        # a curb-side post, nearer the camera than the cars (faster), crossing car 3's plate mid-frame
        c3 = self.cars[2]
        t_mid = (c3.x0 + c3.width / 2 - w / 2) / self.speed
        self.post_speed = self.speed * 1.5
        self.post_x0 = w / 2 + self.post_speed * t_mid
        self.noise = [self.rng.normal(0, 3.0, (h, w, 3)).astype(np.int16) for _ in range(4)]

    def frames(self) -> Iterator[tuple[np.ndarray, dict]]:
        w, h = self.size
        for i in range(self.n_frames):
            t = i / self.fps
            bx = int(self.speed * 0.6 * t)
            frame = self.panorama[:, bx:bx + w].copy()
            person = _person(frame, int(1500 - (self.speed - 40) * t), 445, t * 7.0)
            plates = []
            for k, car in enumerate(self.cars):
                cx = int(round(car.x0 - self.speed * t))
                cy = car.bottom - car.sprite.shape[0]
                _paste(frame, car.sprite, car.mask, cx, cy)
                px, py, pw, ph = car.plate_box
                plates.append((k, (cx + px, cy + py, pw, ph)))
            post_x = int(self.post_x0 - self.post_speed * t)
            cv2.rectangle(frame, (post_x, 300), (post_x + 22, h), (60, 70, 60), -1)
            visible = []
            for k, (x, y, pw, ph) in plates:
                if x < 0 or x + pw > w:
                    continue
                hidden = max(0, min(x + pw, post_x + 22) - max(x, post_x))
                visible.append({"car": k, "box": [x, y, pw, ph], "visible": round(1 - hidden / pw, 3)})
            frame = np.clip(frame.astype(np.int16) + self.noise[i % len(self.noise)], 0, 255).astype(np.uint8)
            yield frame, {"frame": i, "plates": visible, "person": list(person)}


def gps_track_rows(start: str = START, seconds: float = 10.0) -> list[dict]:
    """One fix per second, the patrol car driving east at PATROL_SPEED_MS from (LAT0, LON0)."""
    t0 = datetime.fromisoformat(start)
    deg_per_m = 1.0 / (111_320.0 * np.cos(np.radians(LAT0)))
    return [{"time": (t0 + timedelta(seconds=s)).isoformat(), "lat": f"{LAT0:.6f}",
             "lon": f"{LON0 + PATROL_SPEED_MS * s * deg_per_m:.6f}"} for s in range(int(np.ceil(seconds)) + 1)]


def render_test_video(out_dir: str | Path, seed: int = 7, fps: float = 15.0, seconds: float = 10.0,
                      size: tuple[int, int] = (1280, 720)) -> dict:
    """Write the video, its GPS track and its ground truth into ``out_dir``; return the truth."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scene = StreetScene(seed, fps, seconds, size)
    video = out / VIDEO_NAME
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise RuntimeError(f"{video}: opencv cannot write mp4v video here")
    per_car: dict[int, dict] = {k: {"plate": normalise(c.text), "printed": c.text, "style": c.style,
                                    "first_frame": None, "last_frame": None, "boxes": {}}
                                for k, c in enumerate(scene.cars)}
    people = []
    try:
        for frame, truth in scene.frames():
            writer.write(frame)
            people.append(truth["person"])
            for p in truth["plates"]:
                car = per_car[p["car"]]
                car["first_frame"] = truth["frame"] if car["first_frame"] is None else car["first_frame"]
                car["last_frame"] = truth["frame"]
                if p["visible"] >= VISIBLE:
                    car["boxes"][str(truth["frame"])] = p["box"]
    finally:
        writer.release()
    with open(out / TRACK_NAME, "w", newline="", encoding="utf-8") as fh:
        wr = csv.DictWriter(fh, fieldnames=["time", "lat", "lon"])
        wr.writeheader()
        wr.writerows(gps_track_rows(START, seconds))
    truth = {"video": str(video), "track": str(out / TRACK_NAME), "fps": fps, "frames": scene.n_frames,
             "size": list(size), "start": START, "seed": seed,
             "cars": [per_car[k] for k in sorted(per_car)], "person_boxes": people}
    (out / TRUTH_NAME).write_text(json.dumps(truth))
    return truth
