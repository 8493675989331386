"""Plate formats: fit a read to the known layouts of letters and digits.

A reader confuses look-alike characters (O/0/D/Q, I/1, B/8, S/5, Z/2, G/6); where a read
fits a known layout of the configured regions, the layout decides each place's kind. With
the network's column probabilities (what the engine has), each layout's likeliest text is
decoded from them (vision/ctc.py): the likeliest letter (or digit) in each place
(``NT09247`` → ``NTD9247`` when the network's second choice for ``0`` was ``D``), and a
character the greedy read dropped or doubled comes back when the network saw it at all
(``PJD268`` → ``PJD2685``). Without them (a read from elsewhere), the usual look-alike
(``0UW5216`` → ``OUW5216``). Among layouts, the likeliest text wins. A read that fits no
layout, or fits one only at a small fraction of its own probability, is kept as read:
vanity plates exist — except where every configured region issues none (Brazil): there a
plate has one of the layouts, and the likeliest layout text is taken however the network
leaned (``NT01053`` → ``NTO1053``); a read too short or long for any layout there (``T748``,
a plate's bottom half) is kept with a confidence of 0. The layouts: L = letter, D = digit.
On a face that draws two characters alike (``LAYOUT_FACES``: Brazil's grey plates draw 1 as
the bar of their I), each place counts the network's probability of both for its own kind.

The regions are configuration, like a camera's country setting (CIVIC_PLATE_FORMATS, default
``ON,US``: an Ontario city sees mostly Ontario and US plates).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from vision.ctc import decode_in_layout, greedy_log_probability
from vision.render import STYLES

FORMATS: dict[str, tuple[str, ...]] = {
    "ON": ("LLLLDDD", "LLLDDD", "LLDDDDD", "DDDDL"),  # current, older, commercial, accessible
    "US": ("DDDLLL", "LLLDDDD"),
    "BR": ("LLLDDDD", "LLLDLDD"),  # grey (old), Mercosul
    "EU": ("LLDDDLL", "DLDDDDD"),
}
# The plate face a region's layout is printed in, where the face draws two characters alike
# (vision/render.py: Style.same_glyph): Brazil's grey plates draw 1 as the bar of their I.
LAYOUT_FACES: dict[tuple[str, str], str] = {("BR", "LLLDDDD"): "br_old"}
# Regions that issue no personalised (vanity) plates: every plate has one of their layouts.
NO_VANITY = frozenset({"BR"})
# Reads shorter than this are not reported as plates (video passes, `civic alpr read`): a 2-3
# character "plate" is almost always lettering on a sign or a partial read (short vanity
# plates exist, and are missed).
MIN_PLATE_CHARS = 4


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


def _regions_using(layout: str, regions: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(r for r in regions if layout in FORMATS[r])


def _likeliest(candidates: list[Fitted]) -> Fitted | None:
    """The fit keeping most of the read's probability; of equals, the one changing least."""
    return max(candidates, key=lambda f: (f.probability_ratio, -f.substitutions), default=None)


def _edits(a: str, b: str) -> int:
    """Levenshtein distance: the characters changed, dropped or added between two reads."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def same_glyphs(layout: str, regions: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The characters drawn alike on the faces the regions print ``layout`` in."""
    faces = (LAYOUT_FACES.get((r, layout)) for r in regions)
    return tuple(dict.fromkeys(pair for f in faces if f for pair in STYLES[f].same_glyph))


def _fit_by_decoding(text: str, log_probs: np.ndarray, regions: tuple[str, ...]) -> Fitted | None:
    """The likeliest layout text decoded from the network's columns (vision/ctc.py), of a
    length within MAX_LENGTH_CHANGE of the read's."""
    layouts = list(dict.fromkeys(layout for r in regions for layout in FORMATS[r]))
    for layout in layouts:
        # the greedy path is the likeliest of all: when its text fits a layout, nothing beats it
        if len(layout) == len(text) and all(c.isalpha() == (k == "L") for c, k in zip(text, layout)):
            return Fitted(text, layout, 0, _regions_using(layout, regions), 1.0)
    greedy = greedy_log_probability(log_probs)
    min_share = 0.0 if set(regions) <= NO_VANITY else MIN_LAYOUT_SHARE
    candidates = []
    for layout in (x for x in layouts if abs(len(x) - len(text)) <= MAX_LENGTH_CHANGE):
        fitted, logp, char_probs = decode_in_layout(log_probs, layout, same_glyphs(layout, regions))
        ratio = float(np.exp(min(logp - greedy, 0.0))) if fitted else 0.0
        if fitted and ratio >= min_share:
            candidates.append(Fitted(fitted, layout, _edits(text, fitted), _regions_using(layout, regions), ratio,
                                     float(np.prod(char_probs))))
    return _likeliest(candidates)


def fit_to_format(text: str, regions: tuple[str, ...] | None = None, log_probs: np.ndarray | None = None) -> Fitted:
    """The read fitted to the likeliest layout of the regions (see the module's docstring):
    decoded from the network's column log-probabilities when given, else by look-alikes."""
    regions = REGIONS if regions is None else regions
    # where no region issues vanity plates, a read that fits no layout is not a whole plate (a
    # part of one, or words on its frame): kept as read, but with no chance of being right
    unfitted = Fitted(text, None, 0, probability_ratio=0.0 if regions and set(regions) <= NO_VANITY else 1.0)
    if log_probs is not None:
        return _fit_by_decoding(text, log_probs, regions) or unfitted
    candidates = []
    for layout in dict.fromkeys(layout for r in regions for layout in FORMATS[r] if len(layout) == len(text)):
        got = _fit(text, layout)
        if got is not None and got[1] <= MAX_LOOKALIKE_SUBSTITUTIONS:
            candidates.append(Fitted(got[0], layout, got[1], _regions_using(layout, regions),
                                     SUBSTITUTION_FACTOR ** got[1]))
    return _likeliest(candidates) or unfitted
