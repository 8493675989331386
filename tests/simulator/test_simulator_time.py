"""America/Toronto time handling: offsets, DST seams, formatting."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

from simulator.timeutil import NULL_TS, Clock, fmt_date, fmt_fixed

TZ = ZoneInfo("America/Toronto")


def test_offsets_match_zoneinfo_over_a_year():
    c = Clock(dt.date(2025, 11, 1), dt.date(2026, 10, 31))
    utc = c.start_utc + np.arange(0, 366 * 86400, 1800, dtype=np.int64)
    ref = np.array([int(dt.datetime.fromtimestamp(int(t), TZ).utcoffset().total_seconds()) for t in utc[::7]])
    assert (c.offset(utc[::7]) == ref).all()
    # a local day is 23, 24 or 25 hours long
    lengths = np.diff(c.mid_utc) // 3600
    assert set(lengths.tolist()) == {23, 24, 25}


def test_local_to_utc_round_trips_and_stays_monotonic():
    c = Clock(dt.date(2026, 3, 1), dt.date(2026, 11, 30))
    for day in (dt.date(2026, 3, 8), dt.date(2026, 11, 1), dt.date(2026, 7, 1)):
        k = (day - c.start).days
        secs = np.arange(0, 86400, 60)
        u = c.local_to_utc(np.full(len(secs), k), secs)
        assert (np.diff(u) >= 0).all()
        for s, t in zip(secs[::37].tolist(), u[::37].tolist()):
            local = dt.datetime.fromtimestamp(t, TZ)
            if day == dt.date(2026, 3, 8) and 2 * 3600 <= s < 3 * 3600:
                assert local.hour == 3 and local.minute == 0  # the missing hour maps to 03:00
            else:
                assert (local.date(), local.hour * 3600 + local.minute * 60) == (day, s)
        assert c.local_day_index(u).tolist() == [k] * len(u)
        # the scalar fast paths agree with the vectorised ones
        for s, t in zip(secs[::53].tolist(), u[::53].tolist()):
            assert c.local_to_utc1(k, s) == t and c.local_day1(t) == k
            assert c.offset1(t) == int(c.offset(np.array([t]))[0])


def test_formatting():
    c = Clock(dt.date(2026, 10, 31), dt.date(2026, 11, 2))
    t = np.array([c.mid_utc[1] + 3600 * 7, NULL_TS])
    assert c.fmt(t).tolist() == ["2026-11-01T06:00:00-05:00", ""]
    assert c.fmt(t, "z").tolist()[0] == "2026-11-01T11:00:00Z"
    assert c.fmt(t, "naive").tolist()[0] == "2026-11-01 06:00:00"
    assert fmt_fixed(np.array([1.005, -80.4912345, np.nan, -0.0]), 2).tolist() == [format(1.005, ".2f"), "-80.49", "", "0.00"]
    assert fmt_date(np.array(["2026-01-02", "NaT"], dtype="datetime64[D]")).tolist() == ["2026-01-02", ""]
