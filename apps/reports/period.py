"""Reporting periods: a calendar month (``2026-10``) or quarter (``2026-Q4``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """Days ``start`` (inclusive) to ``end`` (exclusive), local calendar days."""

    kind: str  # "month" | "quarter"
    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return f"Q{q} {self.start.year} ({MONTH_NAMES[self.start.month - 1]}–{MONTH_NAMES[self.last_day.month - 1]})"
        return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def shifted_years(self, years: int) -> "Period":
        return Period(self.kind, self.start.replace(year=self.start.year + years),
                      self.end.replace(year=self.end.year + years))

    def months(self) -> list[dt.date]:
        """The first day of each month in the period."""
        out, d = [], self.start
        while d < self.end:
            out.append(d)
            d = add_months(d, 1)
        return out


def add_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def parse_period(text: str) -> Period:
    """``2026-10`` → October 2026; ``2026-Q4`` → October–December 2026."""
    s = (text or "").strip()
    m = _MONTH.match(s)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"period {text!r}: month must be 01 to 12")
        start = dt.date(year, month, 1)
        return Period("month", start, add_months(start, 1))
    m = _QUARTER.match(s)
    if m:
        start = dt.date(int(m.group(1)), (int(m.group(2)) - 1) * 3 + 1, 1)
        return Period("quarter", start, add_months(start, 3))
    raise ValueError(f"period {text!r}: expected a month like 2026-10 or a quarter like 2026-Q4")


def month_period(first_day: dt.date) -> Period:
    return parse_period(f"{first_day.year}-{first_day.month:02d}")


def quarter_period(first_day: dt.date) -> Period:
    return parse_period(f"{first_day.year}-Q{(first_day.month - 1) // 3 + 1}")


def latest_complete_month(as_of: dt.date) -> Period:
    """The last month that ended on or before ``as_of`` (the month before, unless ``as_of`` is a month's last day)."""
    nxt = as_of + dt.timedelta(days=1)
    return month_period(add_months(dt.date(nxt.year, nxt.month, 1), -1))
