"""Plate reads from a video: track each vehicle's plate across frames and emit ONE read per
vehicle pass, in the ``alpr_reads`` schema the warehouse ingests (data_contracts/sources.py),
with an evidence photo per read and GPS/time from a track file.

    civic alpr video FILE --track GPS.csv        # -> landing/alpr_reads/alpr_reads_video_<hash>_<day>.jsonl

How a video becomes reads:

1. every ``detect_every``-th frame goes through the plate detector (``PlateEngine.detect``);
2. :class:`PlateTracker` links the boxes to tracks by overlap (IoU) or, for a fast or
   momentarily shrunk box, by centre distance to where the track's last motion predicts it;
   a track that is not seen for ``max_unseen`` frames ends (a vehicle occluded for a frame or
   two by a post or a passing car stays one track);
3. a track's plate is read on some of its frames only, chosen by :func:`should_read` (the
   first usable frame, a box clearly larger than any read so far, else every ``read_every``
   frames, at most ``max_reads`` times): reading every frame would cost the speed budget and
   add little, the frames of one pass being nearly the same picture. A plate whose box
   touches the frame's edge (:func:`at_frame_edge`) is entering or leaving the view and may
   be cut by it: its reads are counted apart (``max_reads`` of each);
4. when a track ends (or the video does) its reads are combined by a confidence-weighted vote
   (:func:`vote`; reads of a plate at the frame's edge only where the track has no other: a
   part of a plate often reads as a whole shorter one, ``VZO864`` for ``VZ08647``, with as
   much confidence) and one row is emitted at once: reads come out while the video plays, about
   ``max_unseen`` frames after the vehicle left the view;
5. the evidence photo (:func:`evidence_image`) is the frame on which the plate read best,
   cropped to the vehicle around the plate. Every other plate detected in that frame is
   pixelated, and so is everything in the crop outside the vehicle's area.

People: opencv 5 has no HOG people detector (and no Haar cascades) and the project has no
person model, so people are not detected. They are protected by blurring: only the read
vehicle's area stays sharp in an evidence photo, so a pedestrian beside or behind the
vehicle is pixelated with the rest of the surround. A person standing in front of the
vehicle's rear would stay visible: an officer reviewing evidence must check for that.

The tracking, voting, GPS, evidence and row functions are pure (plain boxes, numbers and
arrays) and are tested without any model; :func:`process_frames` takes any object with the
engine's ``detect``/``read_boxes`` methods.

Track CSV (``--track``): a header and one row per GPS fix, ``time,lat,lon`` (extra columns
are ignored). ``time`` is ISO 8601; without an offset it is the city's local time
(America/Toronto). Frame ``i`` was taken at ``start + i / fps``, where ``start`` is
``--start`` or else the track's first time; lat/lon are interpolated linearly between the
fixes around that instant (held at the first/last fix outside the track). Without a track,
``--start``, ``--lat`` and ``--lon`` give a fixed position (a parked camera).
"""

from __future__ import annotations

import bisect
import csv
import json
import math
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol
from zoneinfo import ZoneInfo

import cv2
import numpy as np

from data_contracts.sources import CITY_TZ, PLATE, PROVINCES
from vision.formats import MIN_PLATE_CHARS
from warehouse.lake import file_sha256

Box = tuple[int, int, int, int]  # x, y, w, h in frame pixels
# A plate box this close to the frame's edge may be cut by it (env: CIVIC_ALPR_EDGE_MARGIN_PX).
EDGE_MARGIN_PX = int(os.environ.get("CIVIC_ALPR_EDGE_MARGIN_PX", "4"))
SOURCE = "alpr_reads"
FIELD_ORDER = ("read_id", "plate", "region", "confidence", "captured_at", "lat", "lon",
               "camera_id", "unit_id", "officer_id", "image_ref")


# ----------------------------------------------------------------------------- geometry


def iou(a: Box, b: Box) -> float:
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0, min(ax1, bx1) - max(a[0], b[0]))
    ih = max(0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def centre(b: Box) -> tuple[float, float]:
    return b[0] + b[2] / 2.0, b[1] + b[3] / 2.0


def clamp_box(b: Box, width: int, height: int) -> Box:
    x0, y0 = max(0, int(b[0])), max(0, int(b[1]))
    x1, y1 = min(width, int(b[0] + b[2])), min(height, int(b[1] + b[3]))
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


def dedupe(detections: list[tuple[Box, float]], overlap: float = 0.5) -> list[tuple[Box, float]]:
    """One box per plate: drop a box that covers mostly the same area as a higher-scored one
    (intersection over the smaller box's area >= ``overlap``); the detector's own NMS keeps
    nested or shifted boxes of one plate that a tracker would take for two vehicles."""
    kept: list[tuple[Box, float]] = []
    for box, score in sorted(detections, key=lambda d: -d[1]):
        dup = False
        for k, _ in kept:
            iw = max(0, min(box[0] + box[2], k[0] + k[2]) - max(box[0], k[0]))
            ih = max(0, min(box[1] + box[3], k[1] + k[3]) - max(box[1], k[1]))
            if iw * ih >= overlap * max(1, min(box[2] * box[3], k[2] * k[3])):
                dup = True
                break
        if not dup:
            kept.append((box, score))
    return kept


def in_frame_share(plate: Box, frame_w: int, frame_h: int) -> float:
    """How much of the vehicle around a plate is inside the frame (1: all): the evidence
    frame is the best read weighted by this, so the photo shows the whole vehicle."""
    x, y, w, h = plate
    h_eff = max(h, w / 4.7)
    vw, vh = 3.2 * w, 4.8 * h_eff + h
    x0, y0 = x + w / 2 - vw / 2, y - 3.2 * h_eff
    iw = max(0.0, min(frame_w, x0 + vw) - max(0.0, x0))
    ih = max(0.0, min(frame_h, y0 + vh) - max(0.0, y0))
    return iw * ih / max(1.0, vw * vh)


def vehicle_box(plate: Box, frame_w: int, frame_h: int) -> Box:
    """The vehicle's rear around a plate, estimated from the plate alone: a plate is about a
    third of a car's width and sits low on its rear (bumper), the rear window above it."""
    x, y, w, h = plate
    h_eff = max(h, w / 4.7)  # a tilted or cut box: do not let a thin box shrink the car
    vw = 3.2 * w
    top, bottom = y - 3.2 * h_eff, y + h + 1.6 * h_eff
    return clamp_box((int(x + w / 2 - vw / 2), int(top), int(vw), int(bottom - top)), frame_w, frame_h)


# ----------------------------------------------------------------------------- tracking


@dataclass
class Observation:
    """One read of a track's plate on one frame."""
    frame: int
    text: str
    confidence: float
    raw_text: str = ""
    plate_format: str | None = None
    box: Box = (0, 0, 0, 0)
    at_edge: bool = False  # the plate's box touched the frame's edge (at_frame_edge)


@dataclass
class Track:
    track_id: int
    first_frame: int
    last_frame: int
    box: Box
    score: float
    hits: int = 1
    velocity: tuple[float, float] = (0.0, 0.0)  # centre motion, pixels per frame
    max_box_w: int = 0
    reads: list[Observation] = field(default_factory=list)
    last_read_frame: int = -10**9
    largest_read_w: int = 0
    # the evidence: the frame on which the plate read best, and what to blur in it
    best_confidence: float = -1.0  # of the evidence frame: read confidence x in_frame_share
    best_frame_index: int = -1
    best_frame: np.ndarray | None = None
    best_box: Box | None = None
    best_others: list[Box] = field(default_factory=list)

    def predicted(self, frame: int) -> Box:
        dt = frame - self.last_frame
        x, y, w, h = self.box
        return int(x + self.velocity[0] * dt), int(y + self.velocity[1] * dt), w, h


class PlateTracker:
    """Links plate boxes across frames. ``update`` takes one frame's detections and returns,
    for each detection, its track, plus the tracks that have just ended.

    Matching is greedy, best pair first: a detection continues a track when its box overlaps
    the track's predicted box (IoU >= ``iou_min``) or its centre lies within ``centre_factor``
    plate widths of the predicted centre and the sizes are alike (ratio within 2). A track
    ends once ``max_unseen`` frames have passed since it was last seen."""

    def __init__(self, max_unseen: int = 8, iou_min: float = 0.1, centre_factor: float = 1.0):
        self.max_unseen, self.iou_min, self.centre_factor = max_unseen, iou_min, centre_factor
        self.active: list[Track] = []
        self._next_id = 1

    def _cost(self, track: Track, box: Box, frame: int) -> float | None:
        """Lower is better; None: not the same plate."""
        pred = track.predicted(frame)
        overlap = iou(pred, box)
        if overlap >= self.iou_min:
            return 1.0 - overlap
        ratio = box[2] / max(1, pred[2])
        if not 0.5 <= ratio <= 2.0:
            return None
        (px, py), (bx, by) = centre(pred), centre(box)
        dist = math.hypot(px - bx, py - by) / max(1.0, max(pred[2], box[2]))
        if dist <= self.centre_factor:
            return 1.0 + dist
        return None

    def update(self, frame: int, detections: list[tuple[Box, float]]) -> tuple[list[Track], list[Track]]:
        pairs = []
        for ti, t in enumerate(self.active):
            for di, (box, _) in enumerate(detections):
                c = self._cost(t, box, frame)
                if c is not None:
                    pairs.append((c, ti, di))
        pairs.sort()
        used_t: set[int] = set()
        used_d: set[int] = set()
        owner: dict[int, Track] = {}
        for c, ti, di in pairs:
            if ti in used_t or di in used_d:
                continue
            used_t.add(ti)
            used_d.add(di)
            t = self.active[ti]
            box, score = detections[di]
            dt = max(1, frame - t.last_frame)
            (ox, oy), (nx, ny) = centre(t.box), centre(box)
            v = ((nx - ox) / dt, (ny - oy) / dt)
            t.velocity = v if t.hits == 1 else (0.5 * t.velocity[0] + 0.5 * v[0], 0.5 * t.velocity[1] + 0.5 * v[1])
            t.box, t.score, t.last_frame, t.hits = tuple(int(q) for q in box), float(score), frame, t.hits + 1
            t.max_box_w = max(t.max_box_w, int(box[2]))
            owner[di] = t
        for di, (box, score) in enumerate(detections):
            if di not in used_d:
                t = Track(self._next_id, frame, frame, tuple(int(q) for q in box), float(score), max_box_w=int(box[2]))
                self._next_id += 1
                self.active.append(t)
                owner[di] = t
        ended = [t for t in self.active if frame - t.last_frame > self.max_unseen]
        self.active = [t for t in self.active if frame - t.last_frame <= self.max_unseen]
        return [owner[i] for i in range(len(detections))], ended

    def finish(self) -> list[Track]:
        """End every track (the video is over)."""
        ended, self.active = self.active, []
        return ended


def at_frame_edge(box: Box, frame_w: int, frame_h: int, margin: int = EDGE_MARGIN_PX) -> bool:
    """Whether a plate's box reaches within ``margin`` px of the frame's edge: the plate may be
    cut by it (a detector boxes the part of a plate that is in view)."""
    x, y, w, h = box
    return x <= margin or y <= margin or x + w >= frame_w - margin or y + h >= frame_h - margin


def should_read(track: Track, box: Box, frame: int, read_every: int = 3, max_reads: int = 6,
                min_width: int = 40, at_edge: bool = False) -> bool:
    """Whether to read a track's plate on this frame (see the module's docstring); reads of
    the plate at the frame's edge (``at_edge``) and the others are counted apart."""
    if box[2] < min_width or sum(r.at_edge == at_edge for r in track.reads) >= max_reads:
        return False
    if not track.reads:
        return True
    if box[2] >= 1.15 * track.largest_read_w:
        return True
    return frame - track.last_read_frame >= read_every


# ----------------------------------------------------------------------------- voting


@dataclass(frozen=True)
class Vote:
    text: str
    confidence: float
    plate_format: str | None
    support: int  # reads that agree with the text
    reads: int  # reads in the vote
    best_frame: int  # the frame of the most confident read of the text


def vote(reads: Iterable[Observation]) -> Vote | None:
    """The track's text: the text with the largest sum of read confidences (ties: the most
    confident single read). Its confidence is the best single read of that text times the
    text's share of the confidence mass: agreeing frames of one pass are nearly the same
    picture, not independent evidence, so agreement does not raise the confidence above
    the best read; disagreement lowers it. Reads of the plate at the frame's edge count only
    where there is no other (a part of a plate is often read as a whole shorter one)."""
    reads = [r for r in reads if r.text]
    reads = [r for r in reads if not r.at_edge] or reads
    if not reads:
        return None
    mass: dict[str, float] = {}
    best: dict[str, Observation] = {}
    count: dict[str, int] = {}
    for r in reads:
        w = max(r.confidence, 1e-6)
        mass[r.text] = mass.get(r.text, 0.0) + w
        count[r.text] = count.get(r.text, 0) + 1
        if r.text not in best or r.confidence > best[r.text].confidence:
            best[r.text] = r
    text = max(mass, key=lambda t: (mass[t], best[t].confidence, t))
    share = mass[text] / sum(mass.values())
    top = best[text]
    return Vote(text, float(min(1.0, max(0.0, top.confidence * share))), top.plate_format, count[text], len(reads),
                top.frame)


# ----------------------------------------------------------------------------- GPS / time


def parse_time(text: str, tz: str = CITY_TZ) -> datetime:
    """An ISO 8601 instant; without an offset it is local time in ``tz``."""
    t = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=ZoneInfo(tz))


class GpsTrack:
    """Positions over time, linearly interpolated. ``times`` are aware datetimes, increasing."""

    def __init__(self, times: list[datetime], lats: list[float], lons: list[float]):
        if not times:
            raise ValueError("a GPS track needs at least one fix")
        order = sorted(range(len(times)), key=lambda i: times[i])
        self.times = [times[i] for i in order]
        self.lats = [float(lats[i]) for i in order]
        self.lons = [float(lons[i]) for i in order]
        self._secs = [t.timestamp() for t in self.times]

    @classmethod
    def fixed(cls, lat: float, lon: float, start: datetime) -> "GpsTrack":
        return cls([start], [lat], [lon])

    @property
    def start(self) -> datetime:
        return self.times[0]

    def at(self, t: datetime) -> tuple[float, float]:
        s = t.timestamp()
        secs = self._secs
        if s <= secs[0]:
            return self.lats[0], self.lons[0]
        if s >= secs[-1]:
            return self.lats[-1], self.lons[-1]
        k = bisect.bisect_right(secs, s)
        f = (s - secs[k - 1]) / (secs[k] - secs[k - 1]) if secs[k] > secs[k - 1] else 0.0
        return (self.lats[k - 1] + f * (self.lats[k] - self.lats[k - 1]),
                self.lons[k - 1] + f * (self.lons[k] - self.lons[k - 1]))


def load_track_csv(path: str | os.PathLike, tz: str = CITY_TZ) -> GpsTrack:
    """A ``time,lat,lon`` CSV (header required; other columns ignored)."""
    times, lats, lons = [], [], []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"time", "lat", "lon"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: track CSV needs columns time,lat,lon (missing {', '.join(sorted(missing))})")
        for n, row in enumerate(reader, 2):
            try:
                times.append(parse_time(row["time"], tz))
                lats.append(float(row["lat"]))
                lons.append(float(row["lon"]))
            except (TypeError, ValueError) as e:
                raise ValueError(f"{path}:{n}: bad fix {row}: {e}") from e
            if not (-90 <= lats[-1] <= 90 and -180 <= lons[-1] <= 180):
                raise ValueError(f"{path}:{n}: lat/lon out of range: {row}")
    return GpsTrack(times, lats, lons)


def frame_time(start: datetime, frame: int, fps: float) -> datetime:
    return start + timedelta(seconds=frame / fps)


# ----------------------------------------------------------------------------- evidence


def pixelate(img: np.ndarray, block: int = 12) -> np.ndarray:
    """Irreversibly coarse: average blocks of ``block`` px, then smooth the block edges."""
    h, w = img.shape[:2]
    if h == 0 or w == 0:
        return img.copy()
    small = cv2.resize(img, (max(1, w // block), max(1, h // block)), interpolation=cv2.INTER_AREA)
    big = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.GaussianBlur(big, (0, 0), block / 3)


def evidence_image(frame: np.ndarray, plate: Box, vehicle: Box, others: Iterable[Box] = (),
                   margin: float = 0.2, block: int = 12) -> tuple[np.ndarray, Box, Box]:
    """The evidence photo: ``frame`` cropped to ``vehicle`` plus ``margin`` of its size on each
    side, with everything outside ``vehicle`` pixelated and every box of ``others`` (the other
    plates in the frame, 25% larger) pixelated too; the read plate stays sharp. Returns (image,
    the crop's box in the frame, the vehicle's box in the image)."""
    fh, fw = frame.shape[:2]
    vx, vy, vw, vh = clamp_box(vehicle, fw, fh)
    mx, my = int(vw * margin), int(vh * margin)
    cx, cy, cw, ch = clamp_box((vx - mx, vy - my, vw + 2 * mx, vh + 2 * my), fw, fh)
    crop = frame[cy:cy + ch, cx:cx + cw].copy()
    blurred = pixelate(crop, block)
    keep = np.zeros((ch, cw), bool)
    keep[vy - cy:vy - cy + vh, vx - cx:vx - cx + vw] = True
    for o in others:
        ox, oy, ow, oh = o
        gx, gy = int(ow * 0.125), int(oh * 0.125)
        x0, y0, w0, h0 = clamp_box((ox - gx - cx, oy - gy - cy, ow + 2 * gx, oh + 2 * gy), cw, ch)
        if w0 and h0:
            # never blur the read plate itself (another box may touch it)
            keep[y0:y0 + h0, x0:x0 + w0] = False
    px, py, pw, ph = clamp_box((plate[0] - cx, plate[1] - cy, plate[2], plate[3]), cw, ch)
    keep[py:py + ph, px:px + pw] = True
    out = np.where(keep[..., None], crop, blurred)
    return out, (cx, cy, cw, ch), (vx - cx, vy - cy, vw, vh)


# ----------------------------------------------------------------------------- rows


def region_of(plate_format: str | None, default: str = "XX") -> str:
    """The row's region: the province/state of the format the text was fitted to, where it is
    one the contract knows (``ON:LLLLDDD`` -> ON); generic formats (US, EU, BR) -> ``default``."""
    prefix = (plate_format or "").split(":")[0]
    return prefix if prefix in PROVINCES and prefix != "US" else default


def display_plate(text: str, plate_format: str | None) -> str:
    """The plate as the other sources write it: Ontario's ``ABCD 123`` / ``ABC 123`` with their
    space (the warehouse compares normalised plates either way)."""
    if plate_format in ("ON:LLLLDDD", "ON:LLLDDD"):
        return f"{text[:-3]} {text[-3:]}"
    return text


_PLATE_RE = re.compile(PLATE)


def valid_plate(plate: str) -> bool:
    return bool(_PLATE_RE.match(plate))


def read_row(read_id: str, plate: str, region: str, confidence: float, captured_at: datetime,
             lat: float, lon: float, camera_id: str, unit_id: str, officer_id: str,
             image_ref: str | None, tz: str = CITY_TZ) -> dict:
    """One ``alpr_reads`` record, fields in the contract's order, times in local time with offset."""
    return {
        "read_id": read_id, "plate": plate, "region": region, "confidence": round(float(confidence), 3),
        "captured_at": captured_at.astimezone(ZoneInfo(tz)).isoformat(timespec="milliseconds"),
        "lat": round(float(lat), 6), "lon": round(float(lon), 6),
        "camera_id": camera_id, "unit_id": unit_id, "officer_id": officer_id, "image_ref": image_ref or "",
    }


def landing_path(data_dir: Path, video_digest: str, day: date) -> Path:
    """``landing/alpr_reads/alpr_reads_video_<hash>_<YYYY-MM-DD>.jsonl``: the simulator's
    ``alpr_reads_<day>.jsonl`` convention (the ingestion takes the delivery day from the name's
    end), with the video's hash so that two videos of one day are two files."""
    return Path(data_dir) / "landing" / SOURCE / f"{SOURCE}_video_{video_digest[:12]}_{day.isoformat()}.jsonl"


# ----------------------------------------------------------------------------- the loop


class Engine(Protocol):
    def detect(self, frame_bgr: np.ndarray) -> list[tuple[Box, float]]: ...

    def read_boxes(self, frame_bgr: np.ndarray, boxes: list[Box], scores: list[float] | None = None) -> list: ...


@dataclass
class VideoOptions:
    detect_every: int = 1  # run the detector on every n-th frame
    max_unseen: int = 10  # frames a track may go unseen before it ends (2/3 s at 15 fps)
    min_hits: int = 2  # detections a track needs to be a vehicle (not a one-frame false box)
    read_every: int = 3
    max_reads: int = 6
    min_read_width: int = 40  # px: smaller plates are not read yet (too far)
    min_confidence: float = 0.2  # tracks whose voted confidence is lower are not emitted
    min_chars: int = MIN_PLATE_CHARS  # shorter reads are not emitted (vision/formats.py; 2 keeps short vanity plates)
    default_region: str = "XX"
    # A track read as the plate of a pass that ended less than this many seconds before it
    # started is the same pass, cut in two by a long miss of the detector: not emitted again.
    same_plate_gap_s: float = 3.0


@dataclass
class PassRead:
    """One vehicle pass: the track and its voted read (``vote`` None: never read)."""
    track: Track
    vote: Vote | None
    dropped: str | None = None  # why no row is emitted for it
    at_frame: int = -1  # the frame being processed when the track ended (emission time)


def _finish_track(t: Track, opts: VideoOptions, at_frame: int) -> PassRead:
    v = vote(t.reads)
    why = None
    if t.hits < opts.min_hits:
        why = "too_few_detections"
    elif v is None:
        why = "never_read"
    elif v.confidence < opts.min_confidence:
        why = "low_confidence"
    elif len(v.text) < opts.min_chars:
        why = "too_short"
    elif not valid_plate(display_plate(v.text, v.plate_format)):
        why = "not_a_plate_text"
    return PassRead(t, v, why, at_frame)


def process_frames(frames: Iterable[np.ndarray], engine: Engine, opts: VideoOptions | None = None,
                   on_frame: Callable[[int], None] | None = None, fps: float = 15.0) -> Iterator[PassRead]:
    """Track plates over ``frames`` and yield one :class:`PassRead` per track as it ends (and
    the rest at the end). Tracks keep a copy of the frame of their best read for the evidence."""
    opts = opts or VideoOptions()
    every = max(1, opts.detect_every)
    tracker = PlateTracker(max_unseen=max(opts.max_unseen, every))
    emitted: dict[str, int] = {}  # text -> last frame of its latest emitted pass
    gap = opts.same_plate_gap_s * fps

    def finish(t: Track, at: int) -> PassRead:
        pr = _finish_track(t, opts, at)
        if pr.dropped is None:
            prev = emitted.get(pr.vote.text)
            if prev is not None and t.first_frame - prev <= gap:
                pr.dropped = "same_plate_as_previous_pass"
            emitted[pr.vote.text] = max(t.last_frame, prev or -1)
        return pr

    i = -1
    for i, frame in enumerate(frames):
        if i % every == 0:
            detections = dedupe(engine.detect(frame))
            tracks, ended = tracker.update(i, detections)
            fh, fw = frame.shape[:2]
            to_read = [(t, b, s, edge) for t, (b, s) in zip(tracks, detections)
                       for edge in [at_frame_edge(b, fw, fh)]
                       if should_read(t, b, i, opts.read_every, opts.max_reads, opts.min_read_width, edge)]
            if to_read:
                reads = engine.read_boxes(frame, [b for _, b, _, _ in to_read], [s for _, _, s, _ in to_read])
                for (t, b, _, edge), r in zip(to_read, reads):
                    obs = Observation(i, r.text, float(r.confidence), getattr(r, "raw_text", ""),
                                      getattr(r, "plate_format", None), tuple(int(q) for q in b), edge)
                    t.reads.append(obs)
                    t.last_read_frame, t.largest_read_w = i, max(t.largest_read_w, b[2])
                    score = obs.confidence * in_frame_share(obs.box, fw, fh)
                    if obs.text and score > t.best_confidence:
                        t.best_confidence, t.best_frame_index, t.best_box = score, i, obs.box
                        t.best_frame = frame.copy()
                        t.best_others = [tuple(int(q) for q in ob) for ob, _ in detections if tuple(ob) != tuple(b)]
            for t in sorted(ended, key=lambda t: t.first_frame):
                yield finish(t, i)
        if on_frame:
            on_frame(i)
    for t in sorted(tracker.finish(), key=lambda t: t.first_frame):
        yield finish(t, i)


def video_frames(path: str | os.PathLike) -> tuple[Iterator[np.ndarray], float, int, tuple[int, int]]:
    """(frames, fps, frame count (0 if unknown), (width, height)) of a video file."""
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise ValueError(f"{path}: not a video opencv can read")
    fps = cap.get(cv2.CAP_PROP_FPS) or 0.0
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    size = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))

    def gen():
        try:
            while True:
                ok, frame = cap.read()
                if not ok:
                    return
                yield frame
        finally:
            cap.release()

    return gen(), (fps if fps > 0 else 30.0), max(0, n), size


class _Progress:
    """``frames done/total, fps`` on stderr every ``every_s`` seconds."""

    def __init__(self, total: int, stream=sys.stderr, every_s: float = 2.0, enabled: bool = True):
        self.total, self.stream, self.every_s, self.enabled = total, stream, every_s, enabled
        self.t0 = self.last = time.perf_counter()
        self.reads = 0

    def __call__(self, i: int) -> None:
        now = time.perf_counter()
        if self.enabled and now - self.last >= self.every_s:
            self.last = now
            done = i + 1
            pct = f" ({100 * done / self.total:.0f}%)" if self.total else ""
            print(f"civic alpr video: frame {done}/{self.total or '?'}{pct}, {done / (now - self.t0):.1f} fps, "
                  f"{self.reads} reads", file=self.stream, flush=True)


def process_video(path: str | os.PathLike, engine: Engine | None = None, *, track_csv: str | None = None,
                  start: str | datetime | None = None, lat: float | None = None, lon: float | None = None,
                  camera_id: str = "VIDEO-CAM", unit_id: str = "VIDEO-UNIT", officer_id: str = "UNASSIGNED",
                  data_dir: str | os.PathLike | None = None, opts: VideoOptions | None = None,
                  progress: bool = True, on_read: Callable[[dict], None] | None = None) -> dict:
    """Read a video into one ``alpr_reads`` landing file (+ evidence JPEGs); return a summary.

    Position and time: ``track_csv`` (then ``start`` optionally sets the video's first frame
    time, else the track's first fix), or ``start`` + ``lat`` + ``lon`` (a fixed position).
    Rows are written to a hidden ``.partial`` file as they are emitted and the landing file
    appears (renamed) only when the video is done, so the ingestion never sees half a file."""
    from warehouse.config import paths as data_paths

    opts = opts or VideoOptions()
    if track_csv:
        gps = load_track_csv(track_csv)
        t0 = parse_time(start) if isinstance(start, str) else (start or gps.start)
    else:
        if start is None or lat is None or lon is None:
            raise ValueError("give --track GPS.csv, or --start, --lat and --lon (a fixed position)")
        t0 = parse_time(start) if isinstance(start, str) else start
        gps = GpsTrack.fixed(lat, lon, t0)
    if t0.tzinfo is None:
        t0 = t0.replace(tzinfo=ZoneInfo(CITY_TZ))
    data_dir = Path(data_dir) if data_dir else data_paths().data_dir
    digest = file_sha256(path)
    frames, fps, total, (width, height) = video_frames(path)
    if engine is None:
        from vision.engine import PlateEngine

        engine = PlateEngine()
    day = t0.astimezone(ZoneInfo(CITY_TZ)).date()
    landing = landing_path(data_dir, digest, day)
    landing.parent.mkdir(parents=True, exist_ok=True)
    partial = landing.with_name("." + landing.name + ".partial")
    prog = _Progress(total, enabled=progress)
    rows, dropped, latencies = [], {}, []
    counter = {"frame": -1}

    def on_frame(i):
        counter["frame"] = i
        prog(i)

    w0 = time.perf_counter()
    engine.detect(np.zeros((height or 720, width or 1280, 3), np.uint8))  # load/fuse the model before the clock
    warmup = time.perf_counter() - w0
    wall0 = time.perf_counter()
    with open(partial, "w", encoding="utf-8") as out:
        for pr in process_frames(frames, engine, opts, on_frame=on_frame, fps=fps):
            if pr.dropped:
                dropped[pr.dropped] = dropped.get(pr.dropped, 0) + 1
                continue
            t, v = pr.track, pr.vote
            read_id = f"VID{digest[:12].upper()}-T{t.track_id:04d}"
            when = frame_time(t0, t.best_frame_index, fps)
            la, lo = gps.at(when)
            local = when.astimezone(ZoneInfo(CITY_TZ))
            rel = Path("evidence") / "alpr" / f"{local:%Y}" / f"{local:%m}" / f"{local:%d}" / f"{read_id}.jpg"
            img, _, _ = evidence_image(t.best_frame, t.best_box, vehicle_box(t.best_box, width, height), t.best_others)
            (data_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(data_dir / rel), img, [cv2.IMWRITE_JPEG_QUALITY, 90])
            t.best_frame = None  # free the frame
            row = read_row(read_id, display_plate(v.text, v.plate_format), region_of(v.plate_format, opts.default_region),
                           v.confidence, when, la, lo, camera_id, unit_id, officer_id, rel.as_posix())
            out.write(json.dumps(row) + "\n")
            out.flush()
            rows.append(row)
            prog.reads += 1
            # how long after the vehicle was last seen the read came out, in video time
            latencies.append((pr.at_frame - t.last_frame) / fps)
            if on_read:
                on_read(row)
    wall = time.perf_counter() - wall0
    frames_done = counter["frame"] + 1
    if rows:
        os.replace(partial, landing)
    else:
        partial.unlink(missing_ok=True)
    return {
        "video": str(path), "frames": frames_done, "video_fps": round(fps, 3), "size": [width, height],
        "seconds": round(wall, 3), "warmup_s": round(warmup, 3), "fps": round(frames_done / wall, 2) if wall > 0 else None,
        "realtime": bool(wall > 0 and frames_done / wall >= fps),
        "reads_emitted": len(rows), "tracks_dropped": dropped,
        "read_latency_video_s_max": round(max(latencies), 3) if latencies else None,
        "landing_file": str(landing) if rows else None,
        "evidence_dir": str(data_dir / "evidence" / "alpr"),
        "detect_every": opts.detect_every,
        "reads": [{k: r[k] for k in ("read_id", "plate", "confidence", "captured_at")} for r in rows],
    }
