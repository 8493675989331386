"""Ground truth of each ALPR read: was the car in violation at the instant it was read?

``parking_episodes.parquet`` holds one violation interval per episode (the first, as an
officer on the street would ticket it). A plate read needs more than that, and less:

- more: every violation in force at the instant counts, not only the episode's first
  (a car parked over two rush hours, or unpaid again on the next morning);
- less: a camera car does not see a car arrive. Bylaws that count time from arrival can
  only be enforced from the first time the car was seen, the digital chalk: a time limit
  (overtime on time-limited streets, "2 h without a permit" in permit areas) runs from the
  first correct read of the car on that blockface that day (within the restriction's
  hours), also when the car left and came back in between; a car that never paid is unpaid
  from arrival, with no courtesy minutes, because arrival is not known; a payment covers
  the plate in its zone (pay-by-plate), whichever parking of the car it was bought for,
  until its paid time ends plus the grace.

This is the truth the platform's hit detection is measured against
(``tests/enforcement``). Its parameters mirror the defaults of the dbt vars under
``# --- enforcement rules ---`` in ``dbt_project/dbt_project.yml``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .names import VIOLATIONS
from .parking import (ENF_END, ENF_START, PAY_NONE, SPOT_ACCESSIBLE, SPOT_HYDRANT, SPOT_NOPARK,
                      SPOT_NOSTOP, is_school_day)
from .timeutil import HOUR, MINUTE, NULL_TS
from .world import KIND_LIMIT, KIND_PAID, KIND_PERMIT, World

GRACE = 5 * MINUTE  # dbt var grace_minutes
RUSH_WINDOWS = ((7 * HOUR, 9 * HOUR), (16 * HOUR, 18 * HOUR))  # weekdays
SCHOOL_WINDOWS = ((8 * HOUR, 9 * HOUR), (15 * HOUR, 16 * HOUR))  # school days
# the order in which a read's violations are listed; the primary one is the highest fine
ORDER = ("accessible", "rush_hour", "school_zone", "no_stopping", "hydrant", "no_parking", "meter_unpaid",
         "no_permit", "overtime")


def _in_windows(tod: np.ndarray, windows) -> np.ndarray:
    m = np.zeros(len(tod), dtype=bool)
    for a, b in windows:
        m |= (tod >= a) & (tod < b)
    return m


def read_truth(w: World, k: int, reads: dict, active: dict, permits: dict) -> dict:
    """in_violation, violation_type (the primary: highest fine) and violation_types (all,
    comma-separated) of each read of day ``k``. ``permits`` is the permit state of day k."""
    c = w.clock
    bf = w.bf
    n = len(reads["read_id"])
    if n == 0:
        e = np.array([], dtype=object)
        return {"in_violation": np.array([], dtype=bool), "violation_type": e, "violation_types": e}
    idx = np.searchsorted(active["eid"], reads["_eid"])
    assert (active["eid"][idx] == reads["_eid"]).all()
    t = np.asarray(reads["_t"], dtype=np.int64)
    mis = np.asarray(reads["_is_mis"], dtype=bool)
    b = active["bf"][idx]
    veh = active["veh"][idx]
    spot = active["spot"][idx]
    kind = bf["kind"][b]
    tod = c.seconds_of_day(t)
    day = c.local_day_index(t)
    assert (day == k).all(), "reads happen on their shift's local day"
    date = c.date_of(k)
    wd = date.weekday()
    day0 = int(c.local_to_utc(np.array([k]), np.array([0]))[0])

    # digital chalk: the first correct read of this car on this blockface today, if it came
    # before (a car that leaves and comes back to the same blockface the same day keeps its
    # chalk: the limit is per vehicle, blockface and day, as digital chalk enforces it)
    key = veh.astype(np.int64) * (w.n_bf + 1) + b
    order = np.lexsort((t, key))
    key_s = key[order]
    new_group = np.r_[True, key_s[1:] != key_s[:-1]]
    t_good = np.where(mis[order], np.iinfo(np.int64).max, t[order])
    first_good = np.minimum.reduceat(t_good, np.flatnonzero(new_group))
    chalk = np.empty(n, dtype=np.int64)
    chalk[order] = first_good[np.cumsum(new_group) - 1]
    chalked = chalk <= t

    limit = bf["time_limit"][b].astype(np.int64) * MINUTE
    enforced_day = wd < 6
    in_hours = enforced_day & (tod >= ENF_START) & (tod < ENF_END)
    area = bf["permit_area"][b]
    area_permit = (area >= 0) & ((permits["area"][veh] == area) | permits["commercial"][veh])
    # a payment covers the plate in its zone (pay-by-plate), whichever of the car's parking
    # episodes it was bought for, from GRACE before it starts to GRACE after it ends
    paying = (active["method"] != PAY_NONE) & ~active["typo"] & (active["paid_until"] != NULL_TS)
    pay = pd.DataFrame({"veh": active["veh"][paying], "zone": bf["zone"][active["bf"][paying]],
                        "start": active["pay_start"][paying], "end": active["paid_until"][paying]})
    rd = pd.DataFrame({"i": np.arange(n), "veh": veh, "zone": bf["zone"][b], "t": t})
    m = rd.merge(pay, on=["veh", "zone"])
    m = m[(m["start"] - GRACE <= m["t"]) & (m["t"] < m["end"] + GRACE)]
    covered = np.zeros(n, dtype=bool)
    covered[m["i"].to_numpy()] = True
    unpaid = ~covered

    types = {
        "hydrant": spot == SPOT_HYDRANT,
        "accessible": (spot == SPOT_ACCESSIBLE) & ~permits["accessible"][veh],
        "no_stopping": spot == SPOT_NOSTOP,
        "no_parking": spot == SPOT_NOPARK,
        "rush_hour": bf["rush"][b] & (wd < 5) & _in_windows(tod, RUSH_WINDOWS),
        "school_zone": (bf["school"][b] >= 0) & is_school_day(date) & _in_windows(tod, SCHOOL_WINDOWS),
        "meter_unpaid": (kind == KIND_PAID) & in_hours & unpaid,
        "overtime": (kind == KIND_LIMIT) & in_hours & chalked & (t >= np.maximum(chalk, day0 + ENF_START) + limit),
        "no_permit": (kind == KIND_PERMIT) & ~area_permit & ((limit == 0) | (chalked & (t >= chalk + limit))),
    }
    exempt = active["exempt"][idx]
    for key in types:
        types[key] = types[key] & ~exempt
    assert set(types) == set(ORDER)
    by_fine = sorted(ORDER, key=lambda v: (-VIOLATIONS[v][2], ORDER.index(v)))
    primary = np.full(n, None, dtype=object)
    for v in reversed(by_fine):
        primary[types[v]] = v
    listed = np.full(n, "", dtype=object)
    for v in ORDER:
        listed = np.where(types[v], np.where(listed == "", v, listed + "," + v), listed)
    in_violation = primary != None  # noqa: E711 - elementwise
    return {"in_violation": in_violation, "violation_type": primary,
            "violation_types": np.where(in_violation, listed, None).astype(object)}

