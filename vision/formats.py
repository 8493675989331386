"""Plate formats: fit a read to the known layouts of letters and digits.

A reader confuses look-alike characters (O/0/D/Q, I/1, B/8, S/5, Z/2, G/6); where a read of
a given length fits a known layout of the configured regions, the layout decides each place's
kind: with the reader's per-character probabilities, the likeliest letter (or digit) there
(``NT09247`` → ``NTD9247`` when the reader's second choice for ``0`` was ``D``); without them,
the usual look-alike (``0UW5216`` → ``OUW5216``). Among layouts, the likeliest text wins. A read
that fits no layout, or fits one only at a small fraction of its own probability, is kept as
read: vanity plates exist. The layouts: L = letter, D = digit.

Given the network's column probabilities, the engine decodes each layout's likeliest text
from them instead (vision/ctc.py), any length: a character the greedy read dropped or
doubled is recovered when the network saw it at all (``PJD268`` → ``PJD2685``).

The regions are configuration, like a camera's country setting (CIVIC_PLATE_FORMATS, default
``ON,US``: an Ontario city sees mostly Ontario and US plates).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from vision.ctc import decode_in_layout, greedy_log_probability
from vision.render import ALPHABET

FORMATS: dict[str, tuple[str, ...]] = {
    "ON": ("LLLLDDD", "LLLDDD", "LLDDDDD", "DDDDL"),  # current, older, commercial, accessible
    "US": ("DDDLLL", "LLLDDDD"),
    "BR": ("LLLDDDD", "LLLDLDD"),  # grey (old), Mercosul
    "EU": ("LLDDDLL", "DLDDDDD"),
}


def configured_regions(value: str | None = None) -> tuple[str, ...]:
    """The regions whose layouts are tried: ``value``, else CIVIC_PLATE_FORMATS (comma-separated)."""
    value = value if value is not None else os.environ.get("CIVIC_PLATE_FORMATS", "ON,US")
    regions = tuple(r.strip().upper() for r in value.split(",") if r.strip())
    unknown = [r for r in regions if r not in FORMATS]
    if unknown:
        raise ValueError(f"unknown plate format region(s) {', '.join(unknown)}; known: {', '.join(FORMATS)}")
    return regions


REGIONS = configured_regions()

TO_LETTER = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B"}
TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "A": "4", "S": "5", "G": "6", "T": "7", "B": "8"}
# Without the reader's probabilities, each substituted character costs this factor of the
# read's confidence (the reader did not prefer the substitute).
SUBSTITUTION_FACTOR = 0.85
MAX_LOOKALIKE_SUBSTITUTIONS = 2
# A layout's text must keep at least this share of the read's own probability to replace it.
MIN_LAYOUT_SHARE = 0.02
# Decoded layouts differ in length from the greedy read by at most this many characters.
MAX_LENGTH_CHANGE = 2
LETTER_IDX = [ALPHABET.index(c) for c in ALPHABET if c.isalpha()]
DIGIT_IDX = [ALPHABET.index(c) for c in ALPHABET if c.isdigit()]


@dataclass(frozen=True)
class Fitted:
    text: str
    format: str | None  # the layout, e.g. "LLLDDDD", or None when no format fits
    substitutions: int
    regions: tuple[str, ...] = ()  # the regions that use the layout
    probability_ratio: float = 1.0  # the fitted text's probability / the read's
    # decoded fits: the product of the fitted characters' best column probabilities (the
    # same measure as a greedy read's raw confidence)
    raw_confidence: float | None = None


def _fit(text: str, layout: str) -> tuple[str, int] | None:
    """The read with each place's look-alike of the layout's kind, and how many were swapped."""
    out, subs = [], 0
    for c, kind in zip(text, layout):
        fits, lookalike = (str.isalpha, TO_LETTER) if kind == "L" else (str.isdigit, TO_DIGIT)
        if fits(c):
            out.append(c)
        elif c in lookalike:
            out.append(lookalike[c])
            subs += 1
        else:
            return None
    return "".join(out), subs


def _fit_by_probability(text: str, dists: list[np.ndarray], layout: str) -> tuple[str, float]:
    """The likeliest text with the layout's kind at each place, and its probability ratio to the read."""
    out, ratio = [], 1.0
    for c, dist, kind in zip(text, dists, layout):
        idx = LETTER_IDX if kind == "L" else DIGIT_IDX
        k = idx[int(np.argmax(dist[idx]))]
        out.append(ALPHABET[k])
        ratio *= float(dist[k]) / max(float(dist[ALPHABET.index(c)]), 1e-9)
    return "".join(out), ratio


def _edits(a: str, b: str) -> int:
    """Levenshtein distance: the characters changed, dropped or added between two reads."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _fit_by_decoding(text: str, log_probs: np.ndarray, regions: tuple[str, ...]) -> Fitted | None:
    """The likeliest layout text decoded from the network's columns (vision/ctc.py), of a
    length within MAX_LENGTH_CHANGE of the read's."""
    layouts = list(dict.fromkeys(layout for r in regions for layout in FORMATS[r]))
    for layout in layouts:
        # the greedy path is the likeliest of all: when its text fits a layout, nothing beats it
        if len(layout) == len(text) and all(c.isalpha() == (k == "L") for c, k in zip(text, layout)):
            return Fitted(text, layout, 0, tuple(r for r in regions if layout in FORMATS[r]), 1.0)
    greedy = greedy_log_probability(log_probs)
    best: Fitted | None = None
    for layout in (x for x in layouts if abs(len(x) - len(text)) <= MAX_LENGTH_CHANGE):
        fitted, logp, char_probs = decode_in_layout(log_probs, layout)
        ratio = float(np.exp(min(logp - greedy, 0.0))) if fitted else 0.0
        if ratio < MIN_LAYOUT_SHARE:
            continue
        cand = Fitted(fitted, layout, _edits(text, fitted), tuple(r for r in regions if layout in FORMATS[r]), ratio,
                      float(np.prod(char_probs)))
        if best is None or (cand.probability_ratio, -cand.substitutions) > (best.probability_ratio, -best.substitutions):
            best = cand
    return best


def fit_to_format(text: str, char_dists: list[np.ndarray] | None = None,
                  regions: tuple[str, ...] | None = None, log_probs: np.ndarray | None = None) -> Fitted:
    """The read fitted to the likeliest layout of the regions (see the module's docstring).

    With the network's column log-probabilities, the layout texts are decoded from them, so
    a character the greedy read dropped or doubled can be recovered; else the read's own
    characters are refitted (with their probabilities when given)."""
    regions = REGIONS if regions is None else regions
    if log_probs is not None:
        return _fit_by_decoding(text, log_probs, regions) or Fitted(text, None, 0)
    layouts = [layout for r in regions for layout in FORMATS[r] if len(layout) == len(text)]
    best: Fitted | None = None
    for layout in dict.fromkeys(layouts):
        users = tuple(r for r in regions if layout in FORMATS[r])
        if char_dists is not None and len(char_dists) == len(text):
            fitted, ratio = _fit_by_probability(text, char_dists, layout)
            if ratio < MIN_LAYOUT_SHARE:
                continue
            subs = sum(a != b for a, b in zip(fitted, text))
        else:
            got = _fit(text, layout)
            if got is None or got[1] > MAX_LOOKALIKE_SUBSTITUTIONS:
                continue
            fitted, subs = got
            ratio = SUBSTITUTION_FACTOR ** subs
        cand = Fitted(fitted, layout, subs, users, ratio)
        if best is None or (cand.probability_ratio, -cand.substitutions) > (best.probability_ratio, -best.substitutions):
            best = cand
    return best or Fitted(text, None, 0)
