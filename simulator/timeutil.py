"""Time handling for the simulated city (America/Toronto, DST-aware, vectorised).

All instants inside the simulator are int64 UTC epoch seconds. Local wall-clock times are
derived through an hourly UTC-offset table built once from ``zoneinfo`` (Toronto's DST
transitions always fall on a whole UTC hour, so an hourly table is exact).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

CITY_TZ = "America/Toronto"
NULL_TS = np.int64(-(2**62))  # sentinel for "no timestamp"
DAY = 86400
HOUR = 3600
MINUTE = 60


def _epoch(d: dt.datetime) -> int:
    return int(d.timestamp())


class Clock:
    """Offsets, local days and formatting for one simulated period."""

    def __init__(self, start: dt.date, end: dt.date, *, pad_days_before: int = 400, pad_days_after: int = 400):
        self.tz = ZoneInfo(CITY_TZ)
        self.start = start
        self.end = end
        self.n_days = (end - start).days + 1
        first = dt.datetime.combine(start - dt.timedelta(days=pad_days_before), dt.time(), tzinfo=dt.timezone.utc)
        last = dt.datetime.combine(end + dt.timedelta(days=pad_days_after), dt.time(), tzinfo=dt.timezone.utc)
        self.t0 = _epoch(first)
        n_hours = int((_epoch(last) - self.t0) // HOUR) + 1
        offs = np.empty(n_hours, dtype=np.int64)
        # walk hour by hour but only call zoneinfo at day granularity + around transitions
        for i in range(n_hours):
            t = dt.datetime.fromtimestamp(self.t0 + i * HOUR, tz=dt.timezone.utc)
            offs[i] = int(t.astimezone(self.tz).utcoffset().total_seconds())
        self._offs = offs
        self._off_hi = int(offs.max())
        self._off_lo = int(offs.min())
        self._offs_list = offs.tolist()
        # local midnight (UTC epoch) for each simulated day, plus one extra day
        mids = []
        for k in range(self.n_days + 1):
            d = start + dt.timedelta(days=k)
            mids.append(_epoch(dt.datetime.combine(d, dt.time(), tzinfo=self.tz)))
        self.mid_utc = np.array(mids, dtype=np.int64)
        self.start_utc = int(self.mid_utc[0])
        self.end_utc = int(self.mid_utc[-1])  # exclusive
        self.dates = [start + dt.timedelta(days=k) for k in range(self.n_days)]
        self.epoch_day0 = (start - dt.date(1970, 1, 1)).days

    # --- offsets and conversions ------------------------------------------------------
    def offset(self, utc: np.ndarray) -> np.ndarray:
        idx = (np.asarray(utc, dtype=np.int64) - self.t0) // HOUR
        idx = np.clip(idx, 0, len(self._offs) - 1)
        return self._offs[idx]

    def to_local(self, utc: np.ndarray) -> np.ndarray:
        utc = np.asarray(utc, dtype=np.int64)
        return utc + self.offset(utc)

    def local_day_index(self, utc: np.ndarray) -> np.ndarray:
        """Index of the local day (0 = start) of each instant (may be <0 or >= n_days)."""
        loc = self.to_local(utc)
        return (loc // DAY) - self.epoch_day0

    def local_to_utc(self, day_idx, local_secs) -> np.ndarray:
        """UTC instant of a local wall-clock time given as seconds after local midnight of day_idx.

        Local seconds may exceed 86400 (the following days). Non-existent spring-forward
        times map to the transition instant; ambiguous fall-back times take the first instance.
        """
        day_idx = np.asarray(day_idx, dtype=np.int64)
        local_secs = np.asarray(local_secs, dtype=np.int64)
        naive = (self.epoch_day0 + day_idx) * DAY + local_secs  # wall clock read as if UTC
        hi, lo = self._off_hi, self._off_lo  # e.g. -4h (summer), -5h (winter)
        u_a = naive - hi
        ok_a = self.offset(u_a) == hi
        u_b = naive - lo
        ok_b = self.offset(u_b) == lo
        # ambiguous (fall-back) times: first instance; non-existent (spring-forward) times:
        # the transition instant, so that the mapping stays monotonic
        gap = (u_a // HOUR + 1) * HOUR
        return np.where(ok_a, u_a, np.where(ok_b, u_b, gap))

    # --- scalar fast paths (plain ints) -------------------------------------------------
    def offset1(self, utc: int) -> int:
        i = (int(utc) - self.t0) // HOUR
        return self._offs_list[min(max(i, 0), len(self._offs_list) - 1)]

    def local_day1(self, utc: int) -> int:
        return (int(utc) + self.offset1(utc)) // DAY - self.epoch_day0

    def local_to_utc1(self, day_idx: int, local_secs: int) -> int:
        naive = (self.epoch_day0 + int(day_idx)) * DAY + int(local_secs)
        u_a = naive - self._off_hi
        if self.offset1(u_a) == self._off_hi:
            return u_a
        u_b = naive - self._off_lo
        if self.offset1(u_b) == self._off_lo:
            return u_b
        return (u_a // HOUR + 1) * HOUR

    def seconds_of_day1(self, utc: int) -> int:
        return (int(utc) + self.offset1(utc)) % DAY

    def seconds_of_day(self, utc: np.ndarray) -> np.ndarray:
        return self.to_local(utc) % DAY

    def date_of(self, day_idx: int) -> dt.date:
        """The local date of a day index (may lie before the start or after the end)."""
        return self.start + dt.timedelta(days=int(day_idx))

    def weekday(self, day_idx: int) -> int:
        return self.dates[day_idx].weekday()

    def hour_bounds(self, day_idx: int) -> np.ndarray:
        """UTC instants of the starts of the local hours of a day (23, 24 or 25 hours) + end."""
        a, b = int(self.mid_utc[day_idx]), int(self.mid_utc[day_idx + 1])
        return np.arange(a, b + 1, HOUR, dtype=np.int64)

    # --- formatting -------------------------------------------------------------------
    def fmt(self, utc: np.ndarray, style: str = "offset") -> np.ndarray:
        """Format UTC instants. style: offset (local with +-HH:MM), z (UTC 'Z'), naive (local)."""
        utc = np.asarray(utc, dtype=np.int64)
        null = utc == NULL_TS
        safe = np.where(null, 0, utc)
        if style == "z":
            s = np.datetime_as_string(safe.astype("datetime64[s]"), unit="s")
            out = np.strings.add(s, "Z")
        else:
            off = self.offset(safe)
            s = np.datetime_as_string((safe + off).astype("datetime64[s]"), unit="s")
            if style == "naive":
                out = np.strings.replace(s, "T", " ")
            else:
                sign = np.where(off < 0, "-", "+")
                a = np.abs(off)
                hh = _TWO[(a // HOUR) % 100]
                mm = _TWO[(a % HOUR) // MINUTE]
                suffix = np.strings.add(np.strings.add(np.strings.add(sign, hh), ":"), mm)
                out = np.strings.add(s, suffix)
        if null.any():
            out = out.astype(object)
            out[null] = ""
        return out


_TWO = np.array([f"{i:02d}" for i in range(100)])


def fmt_date(days: np.ndarray) -> np.ndarray:
    """datetime64[D] array -> 'YYYY-MM-DD' (NaT -> '')."""
    days = np.asarray(days, dtype="datetime64[D]")
    nat = np.isnat(days)
    out = np.datetime_as_string(np.where(nat, np.datetime64("1970-01-01"), days), unit="D")
    if nat.any():
        out = out.astype(object)
        out[nat] = ""
    return out


def fmt_fixed(x: np.ndarray, decimals: int) -> np.ndarray:
    """Fixed-point formatting (NaN -> ''). A C-level format per value is the fastest here."""
    x = np.asarray(x, dtype=np.float64)
    spec = f".{decimals}f"
    out = np.array([format(v, spec) for v in x.tolist()], dtype=object)
    nan = np.isnan(x)
    if nan.any():
        out[nan] = ""
    zero = "-" + format(0.0, spec)
    if len(out) and (out == zero).any():
        out[out == zero] = zero[1:]
    return out


def fmt_int(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype.kind == "f":
        nan = np.isnan(x)
        s = np.where(nan, 0, x).astype(np.int64).astype(str)
        if nan.any():
            s = s.astype(object)
            s[nan] = ""
        return s
    return x.astype(np.int64).astype(str)


def fmt_bool(x: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(x, dtype=bool), "true", "false")
