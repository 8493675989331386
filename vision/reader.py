"""Plate reading: a small CRNN (convolutions + a bidirectional GRU, CTC loss) trained by the
project on rendered plate crops and the real train-split crops; confidence calibrated.

The network sees a plate crop as a 32x128 grey image and emits, for each of 32 columns, a
distribution over blank + 36 characters; greedy CTC decoding gives the text and, for each
character, its probability. The raw confidence of a read is the product of its characters'
probabilities; a logistic map fitted on a calibration set (crops the network was not trained
on) turns it into "the probability that the whole text is right".
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vision import render as render_module
from vision.render import ALPHABET, font_files, render_crop

HEIGHT, WIDTH = 32, 128
BLANK = 0  # CTC blank; character k of ALPHABET is class k + 1
WEIGHTS_DIR = Path(__file__).parent / "weights"
READER = "plate_reader.pt"


def preprocess(crop_bgr: np.ndarray) -> np.ndarray:
    """A crop as the network's input: grey, 32x128, contrast-stretched, float32 in [0, 1]."""
    grey = crop_bgr if crop_bgr.ndim == 2 else cv2.cvtColor(crop_bgr, cv2.COLOR_BGR2GRAY)
    grey = cv2.resize(grey, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA).astype(np.float32)
    lo, hi = np.percentile(grey, 2), np.percentile(grey, 98)
    return np.clip((grey - lo) / max(hi - lo, 1.0), 0, 1).astype(np.float32)


def _network():
    import torch.nn as nn

    def block(cin, cout, pool):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                nn.MaxPool2d(pool)]

    class CRNN(nn.Module):
        def __init__(self):
            super().__init__()
            # Small on purpose: it trains on a 2-core CPU in minutes and reads a crop in ~1 ms.
            self.features = nn.Sequential(*block(1, 16, 2), *block(16, 32, 2), *block(32, 64, (2, 1)),
                                          *block(64, 96, (2, 1)))  # -> 96 x 2 x 32
            self.collapse = nn.Conv2d(96, 128, (2, 1))  # -> 128 x 1 x 32
            self.rnn = nn.GRU(128, 96, bidirectional=True, batch_first=True)
            self.out = nn.Linear(192, len(ALPHABET) + 1)

        def forward(self, x):  # x: N x 1 x 32 x 128
            f = self.collapse(self.features(x)).squeeze(2).permute(0, 2, 1)  # N x 32 x 192
            return self.out(self.rnn(f)[0])  # N x 32 x classes (logits)

    return CRNN()


@dataclass
class Read:
    text: str
    raw_confidence: float  # product of the characters' probabilities
    confidence: float  # calibrated: the probability that the whole text is right
    char_probs: list[float]
    log_probs: np.ndarray | None = None  # columns x (blank + 0-9A-Z): the network's log-probabilities


class PlateReader:
    """Loads the trained reader; reads crops in batches on the CPU."""

    def __init__(self, weights: Path | None = None):
        import torch

        path = Path(weights or WEIGHTS_DIR / READER)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no reader weights; build them with `civic alpr train-reader`")
        state = torch.load(path, map_location="cpu", weights_only=True)
        self.net = _network()
        self.net.load_state_dict(state["model"])
        self.net.eval()
        self.calibration = tuple(state.get("calibration", (1.0, 0.0)))

    def read(self, crops: list[np.ndarray]) -> list[Read]:
        import torch

        if not crops:
            return []
        x = torch.from_numpy(np.stack([preprocess(c) for c in crops])[:, None])
        with torch.inference_mode():
            log_probs = self.net(x).log_softmax(-1).numpy()
        return [self._decode(lp) for lp in log_probs]

    def _decode(self, log_probs: np.ndarray) -> Read:
        probs = np.exp(log_probs)
        best = probs.argmax(-1)
        chars, char_probs, prev = [], [], BLANK
        for t, k in enumerate(best):
            if k != BLANK and k != prev:
                chars.append(ALPHABET[k - 1])
                char_probs.append(float(probs[t, k]))
            elif k != BLANK and k == prev and probs[t, k] > char_probs[-1]:
                # the same character over several columns: keep the column that read it best
                char_probs[-1] = float(probs[t, k])
            prev = k
        raw = float(np.prod(char_probs)) if chars else 0.0
        return Read("".join(chars), raw, calibrate(raw, self.calibration), char_probs, log_probs)


def calibrate(raw: float, params: tuple[float, float]) -> float:
    """Logistic map of the log of the raw confidence: p = sigmoid(a * log(raw) + b)."""
    a, b = params
    z = a * math.log(max(raw, 1e-9)) + b
    return 1.0 / (1.0 + math.exp(-z))


def fit_calibration(raw: list[float], correct: list[bool]) -> tuple[float, float]:
    """Fit (a, b) of :func:`calibrate` by logistic regression (Newton steps)."""
    x = np.log(np.clip(np.asarray(raw, float), 1e-9, 1.0))
    y = np.asarray(correct, float)
    a, b = 1.0, 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(a * x + b)))
        g = np.array([np.sum((p - y) * x), np.sum(p - y)])
        w = p * (1 - p) + 1e-9
        h = np.array([[np.sum(w * x * x), np.sum(w * x)], [np.sum(w * x), np.sum(w)]]) + 1e-6 * np.eye(2)
        a, b = np.array([a, b]) - np.linalg.solve(h, g)
    return float(a), float(b)


def real_crops(folders: list[Path], split: str, rng: np.random.Generator | None = None,
               repeats: int = 1) -> list[tuple[np.ndarray, str]]:
    """The labelled plates of the real photos of one split, cut out with a small margin (and,
    given ``rng``, ``repeats`` times with a random shift of the box, as a detector's box would be)."""
    from vision.dataset import read_labelled_folder

    out = []
    for folder in folders:
        for item in read_labelled_folder(folder):
            if item.split != split:
                continue
            img = cv2.imread(str(item.path))
            for p in item.plates:
                out += [(cut(img, (p.x, p.y, p.w, p.h), rng), p.text) for _ in range(repeats)]
    return out


def cut(img: np.ndarray, box: tuple[int, int, int, int], rng: np.random.Generator | None = None,
        margin: float = 0.06) -> np.ndarray:
    """The crop the reader sees for a box: the box with a small margin, clamped to the image."""
    x, y, w, h = box
    mx, my = w * margin, h * margin * 2
    if rng is not None:
        mx, my = mx + rng.uniform(-0.05, 0.08) * w, my + rng.uniform(-0.08, 0.15) * h
        x, y = x + rng.uniform(-0.04, 0.04) * w, y + rng.uniform(-0.08, 0.08) * h
    H, W = img.shape[:2]
    # never empty: a box at (or, from a detector at low scores, past) an edge keeps 2 px
    x0, y0 = int(min(max(0, x - mx), W - 2)), int(min(max(0, y - my), H - 2))
    x1, y1 = int(min(W, x + w + mx)), int(min(H, y + h + my))
    return img[y0:max(y1, y0 + 2), x0:max(x1, x0 + 2)]


def _encode(texts: list[str]):
    import torch

    targets = torch.tensor([ALPHABET.index(c) + 1 for t in texts for c in t], dtype=torch.long)
    lengths = torch.tensor([len(t) for t in texts], dtype=torch.long)
    return targets, lengths


def rendered_crops(samples: int, seed: int, cache: Path | None = None, log=None) -> tuple[np.ndarray, list[str]]:
    """``samples`` rendered crops, preprocessed (N x 32 x 128 float16), and their texts; kept in
    ``cache`` (keyed by count, seed, font set and renderer) so a second training run does not
    render again."""
    # the faces and the renderer's source are part of the key: another font set or a changed
    # drawing renders other crops from the same seed
    drawing = hashlib.sha1(",".join(f.name for f in font_files()).encode()
                           + Path(render_module.__file__).read_bytes()).hexdigest()[:8]
    path = cache / f"rendered_crops_{samples}_{seed}_{drawing}.npz" if cache else None
    if path and path.is_file():
        with np.load(path) as z:
            return z["x"], [str(t) for t in z["y"]]
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for i in range(samples):
        crop, text = render_crop(rng)
        if text:
            xs.append(preprocess(crop).astype(np.float16))
            ys.append(text)
        if log and (i + 1) % 5000 == 0:
            log(f"rendered {i + 1}/{samples} crops")
    x = np.stack(xs)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, x=x, y=np.array(ys))
    return x, ys


def train_reader(out_dir: Path = WEIGHTS_DIR, real_folders: list[Path] | None = None, samples: int = 20000,
                 epochs: int = 10, real_repeats: int = 40, seed: int = 0, batch: int = 128, cache: Path | None = None,
                 log=lambda m: print(m, file=sys.stderr, flush=True)) -> dict:
    """Train the reader on rendered crops + the real train-split crops (each cut ``real_repeats``
    times with random box jitter and camera degradations), fit the calibration on fresh
    rendered crops, save weights and model card."""
    import torch
    import torch.nn as nn

    from vision.render import degrade_image
    from vision.train_detector import default_real_folders

    real_folders = default_real_folders() if real_folders is None else real_folders
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    t0 = time.perf_counter()
    x_rendered, ys = rendered_crops(samples, seed, cache, log)
    n_rendered = len(ys)
    xs = []
    for r, (crop, text) in enumerate(real_crops(real_folders, "train", rng, repeats=real_repeats)):
        if text:  # every real crop but the first cut of each plate degraded like a camera would
            xs.append(preprocess(degrade_image(crop, rng) if r % real_repeats else crop).astype(np.float16))
            ys.append(text)
    log(f"{n_rendered} rendered + {len(xs)} real train-split crops ({time.perf_counter() - t0:.0f} s)")
    x_all = torch.from_numpy(np.concatenate([x_rendered, np.stack(xs)]).astype(np.float32)[:, None])
    n = len(ys)
    net = _network()
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = epochs * math.ceil(n / batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.15)
    ctc = nn.CTCLoss(blank=BLANK, zero_infinity=True)
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(n)
        total = 0.0
        for k in range(0, n, batch):
            idx = order[k:k + batch]
            targets, lengths = _encode([ys[i] for i in idx.tolist()])
            logp = net(x_all[idx]).log_softmax(-1).permute(1, 0, 2)  # T x N x C
            loss = ctc(logp, targets, torch.full((len(idx),), logp.shape[0], dtype=torch.long), lengths)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
            if (k // batch) % 50 == 49:
                log(f"  epoch {epoch + 1}: {k + batch}/{n} crops, loss {float(loss.detach()):.3f}")
        log(f"epoch {epoch + 1}/{epochs}: CTC loss {total / n:.3f} ({time.perf_counter() - t0:.0f} s)")
    net.eval()
    # Calibration on crops the network has not seen (fresh renders, another seed).
    cal_rng = np.random.default_rng(seed + 1000)
    cal = [render_crop(cal_rng) for _ in range(3000)]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / READER
    torch.save({"model": net.state_dict(), "calibration": (1.0, 0.0)}, path)
    reader = PlateReader(path)
    reads = reader.read([c for c, _ in cal])
    params = fit_calibration([r.raw_confidence for r in reads], [r.text == t for r, (_, t) in zip(reads, cal)])
    torch.save({"model": net.state_dict(), "calibration": params}, path)
    exact = float(np.mean([r.text == t for r, (_, t) in zip(reads, cal)]))
    card = {
        "model": READER, "architecture": "CRNN: 4 conv blocks (16-96 channels) + BiGRU(96), CTC over blank + 0-9A-Z, input 32x128 grey",
        "recipe": {"rendered_crops": n_rendered, "real_train_crops": len(ys) - n_rendered, "real_repeats": real_repeats,
                   "real_folders": [str(p) for p in real_folders], "real_split": "train half only",
                   "epochs": epochs, "batch": batch, "optimizer": "AdamW, one-cycle lr 2e-3", "seed": seed,
                   "fonts": [f.name for f in font_files()]},
        "calibration": {"params": params, "fitted_on": "3,000 fresh rendered crops (seed + 1000)"},
        "rendered_exact_read_rate": round(exact, 4),
        "seconds": round(time.perf_counter() - t0, 1),
        "size_bytes": path.stat().st_size,
    }
    (out_dir / "plate_reader.card.json").write_text(json.dumps(card, indent=1) + "\n")
    return card
