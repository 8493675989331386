"""The privacy rules every council export passes through (MFIPPA).

* No column that identifies a person or a vehicle may appear in a report table
  (``FORBIDDEN_COLUMNS``): a report that selects one is a programming error and raises.
* Plate-like tokens in any text cell are masked (``mask_plates``): a safety net for free
  text, since report tables are aggregates.
* Small counts are suppressed where a table says they could identify a person
  (complaints, cases and works by type or ward): a count below the threshold
  (``CIVIC_REPORT_MIN_COUNT``, default 5) is withheld with the row's other figures, and
  when a table would withhold a single row, the next smallest is withheld too, so the
  published total cannot give the withheld one away.
"""

from __future__ import annotations

import os
import re
from typing import Iterable

import pandas as pd

MIN_COUNT_ENV = "CIVIC_REPORT_MIN_COUNT"
DEFAULT_MIN_COUNT = 5

FORBIDDEN_COLUMNS = frozenset({
    "plate", "plate_number", "plate_text", "plate_pseudonym", "vin", "owner_name", "owner_address",
    "complainant", "complainant_name", "complainant_phone", "complainant_email", "complainant_address",
    "complaint_id", "case_id", "ticket_id", "ticket_number", "address", "roll_number", "read_id",
    "lat", "lon", "image_ref", "evidence_ref",
})

# Ontario (ABCD 123, ABC 123), older Canadian/US (123 ABC), Brazil/Mercosur (ABC1D23):
# letters and digits together, upper case, 5 to 8 characters. Identifiers the reports do
# print (Z01, SZ-01, PK-207, Ward 3, BF-00013) have a hyphen, a lower-case letter or too
# few characters, and are left alone.
_PLATE = re.compile(
    r"(?<![A-Za-z0-9-])(?:[A-Z]{2,4} ?\d{3,4}|\d{3} ?[A-Z]{3}|[A-Z]{3}\d[A-Z0-9]\d{2})(?![A-Za-z0-9-])")


class PrivacyError(ValueError):
    """A report table would publish what the privacy rules forbid."""


def min_count() -> int:
    raw = os.environ.get(MIN_COUNT_ENV, "").strip()
    if not raw:
        return DEFAULT_MIN_COUNT
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{MIN_COUNT_ENV}={raw!r}: expected a whole number (0 turns suppression off)") from exc
    if value < 0:
        raise ValueError(f"{MIN_COUNT_ENV}={raw!r}: must not be negative")
    return value


def mask_plates(text: str) -> str:
    """``"seen ABCD 123 twice"`` → ``"seen AB•• •••3 twice"``: first two and last characters kept."""
    def _mask(m: re.Match) -> str:
        s = m.group(0)
        return s[:2] + "".join("•" if c != " " else " " for c in s[2:-1]) + s[-1]
    return _PLATE.sub(_mask, text)


def check_columns(name: str, columns: Iterable[str]) -> None:
    bad = sorted(c for c in columns if str(c).lower() in FORBIDDEN_COLUMNS)
    if bad:
        raise PrivacyError(f"report table {name!r} has identifying column(s) {bad}; report only aggregates")


def suppress_small_counts(frame: pd.DataFrame, count_column: str, threshold: int,
                          dependent: Iterable[str] = ()) -> tuple[pd.DataFrame, pd.Series]:
    """Withhold rows whose ``count_column`` is 1 to ``threshold - 1`` (zero reveals no one)
    with their ``dependent`` figures (each shows ``withheld_marker``); the second value
    says which rows were withheld."""
    out = frame.copy()
    if threshold <= 1 or out.empty or count_column not in out:
        return out, pd.Series(False, index=out.index)
    counts = pd.to_numeric(out[count_column], errors="coerce")
    withheld = (counts > 0) & (counts < threshold)
    if int(withheld.sum()) == 1 and len(out) > 1:
        # complementary: otherwise the withheld row = published total - the others
        rest = counts[~withheld & (counts > 0)]
        if not rest.empty:
            withheld[rest.idxmin()] = True
    cols = [count_column, *[c for c in dependent if c in out]]
    for col in cols:
        out[col] = out[col].astype(object)
        out.loc[withheld, col] = withheld_marker(threshold)
    return out, withheld


def withheld_marker(threshold: int) -> str:
    """What a withheld cell shows in every format: ``<5``."""
    return f"<{threshold}"


def is_withheld(value: object) -> bool:
    return isinstance(value, str) and value.startswith("<") and value[1:].isdigit()


def scrub_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell with plate-like tokens masked."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: mask_plates(v) if isinstance(v, str) else v)
    return out
