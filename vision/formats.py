"""Plate formats: fit a read to the known layouts of letters and digits.

A reader confuses look-alike characters (O/0, I/1, B/8, S/5, Z/2, G/6); where a read of a
given length matches a known format except for such characters, the format decides
(``0UW5216`` → ``OUW5216``, Brazil's ``LLLDDDD``). A read that fits no format is kept as read:
vanity plates exist. The layouts: L = letter, D = digit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

FORMATS: dict[str, tuple[str, ...]] = {
    "ON": ("LLLLDDD", "LLLDDD", "LLDDDDD", "DDDDL"),  # current, older, commercial, accessible
    "US": ("DDDLLL", "LLLDDDD"),
    "BR": ("LLLDDDD", "LLLDLDD"),  # grey (old), Mercosul
    "EU": ("LLDDDLL", "DLDDDDD"),
}
# Which formats are tried (env: CIVIC_PLATE_FORMATS, comma-separated regions).
REGIONS = tuple(r.strip() for r in os.environ.get("CIVIC_PLATE_FORMATS", "ON,US,BR,EU").split(",") if r.strip())

TO_LETTER = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B"}
TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "A": "4", "S": "5", "G": "6", "T": "7", "B": "8"}
# Each substituted character costs this factor of the read's confidence (the reader did not
# prefer the substitute).
SUBSTITUTION_FACTOR = 0.85


@dataclass(frozen=True)
class Fitted:
    text: str
    format: str | None  # the layout, e.g. "LLLDDDD", or None when no format fits
    substitutions: int
    regions: tuple[str, ...] = ()  # the regions that use the layout

    @property
    def changed(self) -> bool:
        return self.substitutions > 0

    @property
    def probability_ratio(self) -> float:
        return SUBSTITUTION_FACTOR ** self.substitutions


def _fit(text: str, layout: str) -> tuple[str, int] | None:
    out, subs = [], 0
    for c, kind in zip(text, layout):
        if kind == "L":
            if c.isalpha():
                out.append(c)
            elif c in TO_LETTER:
                out.append(TO_LETTER[c])
                subs += 1
            else:
                return None
        else:
            if c.isdigit():
                out.append(c)
            elif c in TO_DIGIT:
                out.append(TO_DIGIT[c])
                subs += 1
            else:
                return None
    return "".join(out), subs


def fit_to_format(text: str, char_probs: list[float] | None = None, regions: tuple[str, ...] = REGIONS) -> Fitted:
    """The read fitted to the format needing the fewest look-alike substitutions (none: as read)."""
    best: Fitted | None = None
    for region in regions:
        for layout in FORMATS.get(region, ()):
            if len(layout) != len(text):
                continue
            fitted = _fit(text, layout)
            if fitted is None:
                continue
            cand = Fitted(fitted[0], layout, fitted[1],
                          tuple(r for r in regions if layout in FORMATS.get(r, ())))
            if best is None or cand.substitutions < best.substitutions:
                best = cand
            if best.substitutions == 0:
                return best
    return best or Fitted(text, None, 0)
