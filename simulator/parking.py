"""Daily parking: arrivals and departures on blockfaces, payments, permits, ground-truth violations."""

from __future__ import annotations

import numpy as np

from .names import VIOLATION_TYPES
from .timeutil import DAY, HOUR, MINUTE, NULL_TS
from .world import KIND_FREE, KIND_LIMIT, KIND_PAID, KIND_PERMIT, World, kerb_position, to_lonlat

# hourly arrival profiles (relative), weekday / weekend, per blockface kind
_H = np.arange(24)


def _bump(center, width):
    return np.exp(-0.5 * ((_H + 0.5 - center) / width) ** 2)


PROFILE = {
    (KIND_PAID, 0): 0.02 + _bump(12, 2.5) + 0.6 * _bump(9, 1.2) + 0.5 * _bump(18.5, 1.5),
    (KIND_PAID, 1): 0.02 + _bump(13, 3.0) + 0.6 * _bump(19, 1.5),
    (KIND_LIMIT, 0): 0.02 + _bump(11, 3.0) + 0.4 * _bump(16, 2),
    (KIND_LIMIT, 1): 0.02 + _bump(13, 3.5),
    (KIND_PERMIT, 0): 0.05 + 0.7 * _bump(11, 3.0) + _bump(18, 2.0),
    (KIND_PERMIT, 1): 0.05 + 0.8 * _bump(13, 3.5) + 0.8 * _bump(18, 2.5),
    (KIND_FREE, 0): 0.03 + _bump(10, 3.0) + 0.6 * _bump(17, 2.5),
    (KIND_FREE, 1): 0.03 + _bump(13, 3.5),
}
for _k, _v in PROFILE.items():
    PROFILE[_k] = _v / _v.sum()

VT_CODE = {v: i for i, v in enumerate(VIOLATION_TYPES)}
PAY_NONE, PAY_A, PAY_B, PAY_COIN, PAY_CARD, PAY_TYPO = 0, 1, 2, 3, 4, 5
PAY_NAMES = np.array(["none", "vendor_a", "vendor_b", "meter_coin", "meter_card", "vendor_typo"], dtype=object)
SPOT_NORMAL, SPOT_HYDRANT, SPOT_ACCESSIBLE, SPOT_NOSTOP, SPOT_NOPARK = 0, 1, 2, 3, 4

ENF_START, ENF_END = 8 * HOUR, 18 * HOUR
KERB_SPOTS = {SPOT_HYDRANT: "hyd", SPOT_NOSTOP: "ns", SPOT_NOPARK: "np", SPOT_ACCESSIBLE: "acc"}


def is_school_day(date) -> bool:
    if date.weekday() >= 5 or date.month in (7, 8):
        return False
    if (date.month == 12 and date.day >= 22) or (date.month == 1 and date.day <= 3):
        return False
    if date.month == 3 and 14 <= date.day <= 20:  # March break
        return False
    return True


def _window_violation(la, ld, ws, we, cond):
    """Violation interval of presence [la, ld) with a window [ws, we) once condition time cond passes."""
    s = np.maximum(np.maximum(la, ws), cond)
    e = np.minimum(ld, we)
    ok = s < e
    return np.where(ok, s, np.inf), np.where(ok, e, np.inf)


def _comply(la, ld, ws, we, mask, p, rng):
    """Drivers avoiding a no-stopping window: most leave before it or arrive after it."""
    ov = mask & (la < we) & (ld > ws)
    c = ov & (rng.random(len(la)) < p)
    dur = ld - la
    before = c & (la < ws - 5 * MINUTE)
    ld = np.where(before, np.maximum(la + 3 * MINUTE, ws - rng.uniform(0, 15 * MINUTE, len(la))), ld)
    after = c & ~before
    new_la = we + rng.uniform(0, 30 * MINUTE, len(la))
    la = np.where(after, new_la, la)
    ld = np.where(after, new_la + dur, ld)
    return la, ld


def generate_day(w: World, k: int, rng: np.random.Generator, permits: dict, carried: dict, next_eid: int) -> dict:
    """All parking episodes arriving on local day k, with payments and ground-truth violations."""
    c = w.clock
    p = w.preset
    bf = w.bf
    date = c.date_of(k)
    wd = date.weekday()
    weekend = int(wd >= 5)
    nb = w.n_bf
    kind = bf["kind"]
    # mild seasonality: busier in late spring/summer/autumn than in deep winter
    season = 1.0 + 0.08 * np.sin((date.timetuple().tm_yday - 80) / 365 * 2 * np.pi)
    dayf = {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.02, 4: 1.08, 5: 0.85, 6: 0.6}[wd]
    # December holidays and summer slightly lower downtown
    if (date.month == 12 and date.day >= 24) or (date.month == 1 and date.day == 1):
        dayf *= 0.6
    turn = np.array(p.turnover)[kind] * dayf * season
    prof = np.stack([PROFILE[(kk, weekend)] for kk in range(4)])[kind]  # (nb, 24)
    lam = bf["spaces"][:, None] * turn[:, None] * prof
    counts = rng.poisson(lam)
    n = int(counts.sum())
    flat = np.repeat(np.arange(nb * 24), counts.ravel())
    ebf = flat // 24
    hour = flat % 24
    la = hour * HOUR + rng.uniform(0, HOUR, n)
    ek = kind[ebf]

    # spot kind
    u = rng.random(n)
    spot = np.full(n, SPOT_NORMAL, dtype=np.int8)
    # restricted spots exist only where the blockface has that stretch of kerb (world.place_kerb_features)
    spot[(u < 0.005) & ~np.isnan(bf["hyd_at"][ebf])] = SPOT_HYDRANT
    spot[(u >= 0.005) & (u < 0.015) & ~np.isnan(bf["ns_from"][ebf])] = SPOT_NOSTOP
    spot[(u >= 0.015) & (u < 0.03) & ~np.isnan(bf["np_from"][ebf])] = SPOT_NOPARK
    spot[(u >= 0.03) & (u < 0.09) & ~np.isnan(bf["acc_from"][ebf])] = SPOT_ACCESSIBLE

    # durations (seconds)
    dur = np.empty(n)
    resident = np.zeros(n, dtype=bool)
    m = ek == KIND_PAID
    dur[m] = rng.lognormal(np.log(75 * MINUTE), 0.65, m.sum())
    m = ek == KIND_LIMIT
    dur[m] = rng.lognormal(np.log(0.55 * bf["time_limit"][ebf[m]] * MINUTE), 0.65, m.sum())
    m = ek == KIND_FREE
    dur[m] = np.where(rng.random(m.sum()) < 0.5, rng.lognormal(np.log(100 * MINUTE), 0.8, m.sum()),
                      rng.uniform(6 * HOUR, 40 * HOUR, m.sum()))
    m = ek == KIND_PERMIT
    evening = (hour >= 15) | (hour < 6)
    permit_only = bf["time_limit"][ebf] == 0
    resident[m] = rng.random(m.sum()) < np.where(evening[m], np.where(permit_only[m], 0.97, 0.92),
                                                 np.where(permit_only[m], 0.85, 0.6))
    mr = m & resident
    morning = rng.uniform(6.5 * HOUR, 9.5 * HOUR, n) + (1.5 * HOUR if wd >= 4 else 0)
    over = mr & evening
    dur[over] = np.where(hour[over] >= 15, DAY + morning[over] - la[over], np.maximum(morning[over] - la[over], 30 * MINUTE))
    dayres = mr & ~evening
    dur[dayres] = np.where(rng.random(dayres.sum()) < 0.4, rng.uniform(10 * HOUR, 44 * HOUR, dayres.sum()),
                           rng.lognormal(np.log(120 * MINUTE), 0.8, dayres.sum()))
    vis = m & ~resident
    dur[vis] = rng.lognormal(np.log(60 * MINUTE), 0.7, vis.sum())
    dur = np.where(ek == KIND_PAID, np.clip(dur, 8 * MINUTE, 8 * HOUR), np.clip(dur, 5 * MINUTE, 20 * HOUR))
    dur[spot == SPOT_HYDRANT] = np.clip(rng.lognormal(np.log(20 * MINUTE), 0.6, (spot == SPOT_HYDRANT).sum()), 3 * MINUTE, 3 * HOUR)
    dur[spot == SPOT_NOSTOP] = rng.uniform(2 * MINUTE, 15 * MINUTE, (spot == SPOT_NOSTOP).sum())
    dur[spot == SPOT_NOPARK] = np.clip(rng.lognormal(np.log(30 * MINUTE), 0.5, (spot == SPOT_NOPARK).sum()), 5 * MINUTE, 3 * HOUR)
    ld = np.minimum(la + dur, 2 * DAY - MINUTE)  # nobody stays past the end of tomorrow

    # drivers mostly respect rush-hour and school-zone no-stopping windows
    if wd < 5:
        rush = bf["rush"][ebf]
        for ws, we in ((7 * HOUR, 9 * HOUR), (16 * HOUR, 18 * HOUR)):
            la, ld = _comply(la, ld, ws, we, rush, 0.93, rng)
    school_day = is_school_day(date)
    if school_day:
        sch = bf["school"][ebf] >= 0
        for ws, we in ((8 * HOUR, 9 * HOUR), (15 * HOUR, 16 * HOUR)):
            la, ld = _comply(la, ld, ws, we, sch, 0.9, rng)
    keep = la < DAY  # arrivals pushed past midnight are dropped
    la, ld = la[keep], ld[keep]
    ebf, spot, resident, hour, ek = ebf[keep], spot[keep], resident[keep], hour[keep], ek[keep]
    n = len(la)
    la = np.floor(la)
    ld = np.floor(ld)

    # vehicles ------------------------------------------------------------------------------
    veh = _pick_general(w, rng, n)
    area = bf["permit_area"][ebf]
    res_start = w.veh["res_start"]
    mres = resident & (area >= 0)
    if mres.any():
        a = area[mres]
        lo, hi = res_start[a], res_start[a + 1]
        veh[mres] = lo + (rng.random(mres.sum()) * (hi - lo)).astype(np.int64)
    acc_pool = w.veh["accessible"]
    macc = (spot == SPOT_ACCESSIBLE) & (rng.random(n) < 0.7) & (len(acc_pool) > 0)
    if macc.any():
        veh[macc] = acc_pool[rng.integers(0, len(acc_pool), macc.sum())]
    ex_pool = np.flatnonzero(w.veh["klass"] == 2)
    mex = (~mres) & (rng.random(n) < 0.006) & (len(ex_pool) > 0)
    if mex.any():
        veh[mex] = ex_pool[rng.integers(0, len(ex_pool), mex.sum())]

    # one vehicle cannot be in two places at once: re-draw conflicting episodes
    arr_utc = c.local_to_utc(np.full(n, k), la.astype(np.int64))
    dep_utc = np.maximum(c.local_to_utc(np.full(n, k), ld.astype(np.int64)), arr_utc + MINUTE)
    keep = _resolve_conflicts(w, rng, veh, arr_utc, dep_utc, carried, fixed=mres | macc | mex)
    sel = np.flatnonzero(keep)
    la, ld, ebf, spot, resident, ek, veh = la[sel], ld[sel], ebf[sel], spot[sel], resident[sel], ek[sel], veh[sel]
    arr_utc, dep_utc = arr_utc[sel], dep_utc[sel]
    n = len(sel)

    zone = bf["zone"][ebf]
    exz = w.veh["ex_zone"][veh]
    exempt = (exz == -1) | (exz == zone)
    area = bf["permit_area"][ebf]
    has_area_permit = (area >= 0) & ((permits["area"][veh] == area) | permits["commercial"][veh])
    acc_permit = permits["accessible"][veh]
    has_permit = has_area_permit | ((spot == SPOT_ACCESSIBLE) & acc_permit)

    # payments on paid blockfaces ---------------------------------------------------------------
    enforced_today = wd < 6
    need_end = np.minimum(ld, ENF_END) if enforced_today else np.zeros(n)
    need = (ek == KIND_PAID) & enforced_today & (ld > ENF_START) & (la < ENF_END) & ~exempt
    method = np.zeros(n, dtype=np.int8)
    r = rng.random(n)
    method[need & (r < 0.47)] = PAY_A
    method[need & (r >= 0.47) & (r < 0.70)] = PAY_B
    method[need & (r >= 0.70) & (r < 0.76)] = PAY_COIN
    method[need & (r >= 0.76) & (r < 0.895)] = PAY_CARD
    pay_start = la + rng.uniform(20, 240, n)
    max_s = bf["max_minutes"][ebf] * MINUTE
    needed = np.clip(need_end - pay_start, 5 * MINUTE, None)
    under = rng.random(n) < 0.12
    bought = np.where(under, needed * rng.uniform(0.3, 0.9, n), needed + rng.uniform(0, 20 * MINUTE, n))
    step = np.where((method == PAY_COIN) | (method == PAY_CARD), 15 * MINUTE, 5 * MINUTE)
    bought = np.clip(np.ceil(bought / step) * step, 10 * MINUTE, max_s)
    # vendor users who under-buy often extend from the app
    ext = under & ((method == PAY_A) | (method == PAY_B)) & (rng.random(n) < 0.5)
    first_len = bought.copy()
    ext_start = pay_start + first_len - np.floor(rng.uniform(0, 5 * MINUTE, n))
    ext_len = np.clip(np.ceil((need_end - ext_start + rng.uniform(0, 10 * MINUTE, n)) / (5 * MINUTE)) * 5 * MINUTE, 5 * MINUTE, None)
    ext_len = np.minimum(ext_len, np.maximum(max_s - first_len, 5 * MINUTE))
    ext = ext & (ext_start < need_end)
    paid_until = np.where(method > 0, pay_start + first_len, np.nan)
    paid_until = np.where(ext, ext_start + ext_len, paid_until)
    # a few app users key in a wrong plate: the car is not covered
    typo = ((method == PAY_A) | (method == PAY_B)) & (rng.random(n) < 0.004)

    # ground-truth violations (local seconds after midnight of day k) ---------------------------
    INF = np.inf
    cands_s, cands_e = [], []
    vt_order = []

    def add(vt, s, e):
        cands_s.append(s)
        cands_e.append(e)
        vt_order.append(VT_CODE[vt])

    full = np.ones(n, dtype=bool)
    add("hydrant", np.where(spot == SPOT_HYDRANT, la, INF), np.where(spot == SPOT_HYDRANT, ld, INF))
    add("accessible", np.where((spot == SPOT_ACCESSIBLE) & ~acc_permit, la, INF),
        np.where((spot == SPOT_ACCESSIBLE) & ~acc_permit, ld, INF))
    add("no_stopping", np.where(spot == SPOT_NOSTOP, la, INF), np.where(spot == SPOT_NOSTOP, ld, INF))
    add("no_parking", np.where((spot == SPOT_NOPARK) & (ld > la + 5 * MINUTE), la + 5 * MINUTE, INF),
        np.where(spot == SPOT_NOPARK, ld, INF))
    # windows of day k and day k+1
    dates2 = [date, c.date_of(k + 1)]
    for off_day, d2 in enumerate(dates2):
        base = off_day * DAY
        wd2 = (wd + off_day) % 7
        if wd2 < 5:
            for ws, we in ((7 * HOUR, 9 * HOUR), (16 * HOUR, 18 * HOUR)):
                s, e = _window_violation(la, ld, base + ws, base + we, la)
                m = bf["rush"][ebf]
                add("rush_hour", np.where(m, s, INF), np.where(m, e, INF))
        if is_school_day(d2):
            for ws, we in ((8 * HOUR, 9 * HOUR), (15 * HOUR, 16 * HOUR)):
                s, e = _window_violation(la, ld, base + ws, base + we, la)
                m = bf["school"][ebf] >= 0
                add("school_zone", np.where(m, s, INF), np.where(m, e, INF))
        if wd2 < 6:
            ws, we = base + ENF_START, base + ENF_END
            pu = np.where(np.isnan(paid_until) | typo, la + 10 * MINUTE, paid_until)
            s, e = _window_violation(la, ld, ws, we, pu)
            m = ek == KIND_PAID
            add("meter_unpaid", np.where(m, s, INF), np.where(m, e, INF))
            lim = bf["time_limit"][ebf] * MINUTE
            s, e = _window_violation(la, ld, ws, we, np.maximum(la, ws) + lim)
            m = ek == KIND_LIMIT
            add("overtime", np.where(m, s, INF), np.where(m, e, INF))
    tl = bf["time_limit"][ebf]
    grace = np.where(tl > 0, tl * MINUTE, 10 * MINUTE)
    mperm = (ek == KIND_PERMIT) & ~has_area_permit
    add("no_permit", np.where(mperm & (la + grace < ld), la + grace, INF), np.where(mperm & (la + grace < ld), ld, INF))

    S = np.stack(cands_s)
    E = np.stack(cands_e)
    S[:, exempt] = INF
    best = np.argmin(S, axis=0)
    vs_loc = S[best, np.arange(n)]
    ve_loc = E[best, np.arange(n)]
    in_viol = np.isfinite(vs_loc)
    vtype = np.where(in_viol, np.array(vt_order)[best], -1).astype(np.int8)
    vs = np.where(in_viol, c.local_to_utc(np.full(n, k), np.where(in_viol, vs_loc, 0).astype(np.int64)), NULL_TS)
    ve = np.where(in_viol, c.local_to_utc(np.full(n, k), np.where(in_viol, ve_loc, 0).astype(np.int64)), NULL_TS)
    vs = np.where(in_viol, np.clip(vs, arr_utc, dep_utc), NULL_TS)
    ve = np.where(in_viol, np.clip(ve, arr_utc, dep_utc), NULL_TS)
    bad = in_viol & (ve <= vs)
    if bad.any():  # degenerate intervals at DST seams: treat as compliant
        in_viol[bad] = False
        vtype[bad] = -1
        vs[bad] = NULL_TS
        ve[bad] = NULL_TS

    # position along the blockface: ordinary cars on the free stretches, the others in their spot
    frac = rng.uniform(0.03, 0.97, n)
    along = kerb_position(w, ebf, spot, (frac - 0.03) / 0.94, KERB_SPOTS)
    frac = along / bf["length"][ebf]
    x = bf["x0"][ebf] + (bf["x1"][ebf] - bf["x0"][ebf]) * frac
    y = bf["y0"][ebf] + (bf["y1"][ebf] - bf["y0"][ebf]) * frac
    eid = next_eid + np.arange(n, dtype=np.int64)

    pay_start_utc = c.local_to_utc(np.full(n, k), np.floor(pay_start).astype(np.int64))
    pu_utc = np.where(np.isnan(paid_until), NULL_TS,
                      c.local_to_utc(np.full(n, k), np.nan_to_num(paid_until).astype(np.int64)))
    ext_start_utc = c.local_to_utc(np.full(n, k), ext_start.astype(np.int64))

    return {
        "eid": eid, "bf": ebf, "veh": veh, "arr": arr_utc, "dep": dep_utc, "vs": vs, "ve": ve, "vtype": vtype,
        "x": x, "y": y, "frac": frac, "ticketed": np.zeros(n, dtype=bool), "exempt": exempt,
        "has_permit": has_permit, "method": method,
        "pay_start": pay_start_utc, "first_len": first_len.astype(np.int64), "ext": ext,
        "ext_start": ext_start_utc, "ext_len": ext_len.astype(np.int64), "paid_until": pu_utc,
        "typo": typo, "spot": spot,
    }


def _pick_general(w: World, rng, n: int) -> np.ndarray:
    gen = w.veh["general"]
    return gen[np.searchsorted(w.veh["general_cdf"], rng.random(n), side="right").clip(0, len(gen) - 1)]


def _resolve_conflicts(w: World, rng, veh, arr, dep, carried, fixed=None) -> np.ndarray:
    """Re-draw vehicles that would be parked twice at once; drop what cannot be fixed.

    ``fixed`` episodes belong to a particular car (a resident coming home, a permit holder):
    if that car is already parked elsewhere the episode simply does not happen.
    """
    n = len(veh)
    keep = np.ones(n, dtype=bool)
    c_veh = carried["veh"] if carried else np.array([], dtype=np.int64)
    c_arr = carried["arr"] if carried else np.array([], dtype=np.int64)
    c_dep = carried["dep"] if carried else np.array([], dtype=np.int64)
    nveh = len(w.veh["plate"])
    nc = len(c_veh)
    for it in range(6):
        all_v = np.concatenate([c_veh, veh])
        alive = np.concatenate([np.ones(nc, bool), keep])
        cnt = np.bincount(all_v[alive], minlength=nveh)
        idx = np.flatnonzero(alive & (cnt[all_v] > 1))  # only vehicles used more than once
        if len(idx) == 0:
            break
        all_a = np.concatenate([c_arr, arr])[idx]
        all_d = np.concatenate([c_dep, dep])[idx]
        vv = all_v[idx]
        o = np.lexsort((all_a, vv))
        sv, sa, sd = vv[o], all_a[o], all_d[o]
        same = np.concatenate([[False], sv[1:] == sv[:-1]])
        # running max of departures within each vehicle's group (segment trick)
        gid = np.cumsum(~same) - 1
        big = gid.astype(np.int64) * (2**40)
        cm = np.maximum.accumulate(sd + big) - big
        prev_dep = np.concatenate([[np.iinfo(np.int64).min], cm[:-1]])
        conflict = same & (sa < prev_dep)
        bad = idx[o[conflict]]
        bad = bad[bad >= nc] - nc
        if len(bad) == 0:
            break
        if fixed is not None:
            drop = bad[fixed[bad]]
            keep[drop] = False
            bad = bad[~fixed[bad]]
            if len(bad) == 0:
                continue
        if it == 5:
            keep[bad] = False
            break
        veh[bad] = _pick_general(w, rng, len(bad))
    return keep


def lonlat_of(w: World, x, y):
    return to_lonlat(x, y)
