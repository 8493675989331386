"""The static world: street grid, zones, blockfaces, areas, meters, properties, staff, vehicles.

Geometry is real WGS84 around downtown Kitchener, Ontario. The grid is built in a local
metric frame (x east, y north, metres from the centre) and projected with a local
equirectangular approximation, which is accurate to centimetres at this scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import names as N
from .presets import Preset
from .timeutil import HOUR, Clock

LAT0 = 43.4516
LON0 = -80.4925
M_PER_DEG_LAT = 111_132.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))
BLOCK_W = 140.0  # metres between north-south streets
BLOCK_H = 100.0  # metres between east-west streets
SIDE_OFFSET = 7.0  # kerb lane offset from the street centre line
SETBACK = 12.0  # blockface ends this far from the intersection

KIND_PAID, KIND_LIMIT, KIND_PERMIT, KIND_FREE = 0, 1, 2, 3


def to_lonlat(x, y):
    return LON0 + np.asarray(x) / M_PER_DEG_LON, LAT0 + np.asarray(y) / M_PER_DEG_LAT


def to_xy(lon, lat):
    return (np.asarray(lon) - LON0) * M_PER_DEG_LON, (np.asarray(lat) - LAT0) * M_PER_DEG_LAT


# Wards (council districts): cells of a wards_x x wards_y grid over the street grid's
# extent. A place beyond the grid's outer streets belongs to the nearest cell (the outer
# wards reach out to the city limit); the published ward polygons (``ward_cells``) reach
# WARD_MARGIN metres beyond the outer streets, as far as the zones do, which holds every
# property and blockface.
WARD_MARGIN = 40.0


def ward_number(w: "World", x, y) -> np.ndarray:
    """The ward (1-based: row-major from the south-west) of each point (metres)."""
    gx0, gx1, gy0, gy1, wards_x, wards_y = w.ward_grid
    x, y = np.asarray(x), np.asarray(y)
    wx = np.clip(((x - gx0) / (gx1 - gx0 + 1e-9) * wards_x).astype(int), 0, wards_x - 1)
    wy = np.clip(((y - gy0) / (gy1 - gy0 + 1e-9) * wards_y).astype(int), 0, wards_y - 1)
    return wy * wards_x + wx + 1


def ward_cells(w: "World") -> list[tuple[int, float, float, float, float]]:
    """(ward number, x0, x1, y0, y1) of each ward's rectangle in metres, in ward order: the
    cells ``ward_number`` assigns, the outer ones cut WARD_MARGIN beyond the outer streets."""
    gx0, gx1, gy0, gy1, wards_x, wards_y = w.ward_grid
    bx = [gx0 + k * (gx1 - gx0 + 1e-9) / wards_x for k in range(wards_x + 1)]
    by = [gy0 + k * (gy1 - gy0 + 1e-9) / wards_y for k in range(wards_y + 1)]
    bx[0], bx[-1] = gx0 - WARD_MARGIN, gx1 + WARD_MARGIN
    by[0], by[-1] = gy0 - WARD_MARGIN, gy1 + WARD_MARGIN
    return [(j * wards_x + i + 1, float(bx[i]), float(bx[i + 1]), float(by[j]), float(by[j + 1]))
            for j in range(wards_y) for i in range(wards_x)]


def _pick_names(base: list[str], n: int) -> list[str]:
    out = []
    for i in range(n):
        name = base[i % len(base)]
        if i >= len(base):
            stem, _, suffix = name.rpartition(" ")
            name = f"{stem} {['North', 'South', 'East', 'West', 'Upper', 'Lower'][(i // len(base) - 1) % 6]} {suffix}"
        out.append(name)
    return out


def make_plates(rng: np.random.Generator, provinces: np.ndarray) -> np.ndarray:
    """Unique plate strings for the given provinces (Ontario 'ABCD 123' / 'ABC 123', QC, US...)."""
    n = len(provinces)
    letters_on = np.frombuffer(b"ABCDEFGHJKLMNPRSTVWXYZ", dtype=np.uint8)
    letters = np.frombuffer(b"ABCDEFGHJKLMNPRSTUVWXYZ", dtype=np.uint8)
    digits = np.frombuffer(b"0123456789", dtype=np.uint8)
    out = np.empty(n, dtype=object)
    seen: set[str] = set()
    # ON: 85% new format ABCD 123, 15% old ABC 123
    fmt = np.zeros(n, dtype=np.int8)
    is_on = provinces == "ON"
    is_qc = provinces == "QC"
    is_us = np.isin(provinces, N.US_STATES)
    fmt[is_on] = np.where(rng.random(is_on.sum()) < 0.85, 0, 1)
    fmt[is_qc] = 2
    fmt[is_us] = 3
    fmt[~(is_on | is_qc | is_us)] = 4

    def build(kind: int, m: int) -> np.ndarray:
        if kind == 0:
            a = np.concatenate([letters_on[rng.integers(0, len(letters_on), (m, 4))], np.full((m, 1), 32, np.uint8),
                                digits[rng.integers(0, 10, (m, 3))]], axis=1)
        elif kind == 1:
            a = np.concatenate([letters_on[rng.integers(0, len(letters_on), (m, 3))], np.full((m, 1), 32, np.uint8),
                                digits[rng.integers(0, 10, (m, 3))]], axis=1)
        elif kind == 2:  # QC: 123 ABC / A12 BCD
            a = np.concatenate([letters[rng.integers(0, len(letters), (m, 1))], digits[rng.integers(0, 10, (m, 2))],
                                np.full((m, 1), 32, np.uint8), letters[rng.integers(0, len(letters), (m, 3))]], axis=1)
        elif kind == 3:  # US: ABC1234
            a = np.concatenate([letters[rng.integers(0, len(letters), (m, 3))], digits[rng.integers(0, 10, (m, 4))]], axis=1)
        else:  # other provinces: ABC 123 style with digits first sometimes
            a = np.concatenate([letters[rng.integers(0, len(letters), (m, 3))], np.full((m, 1), 32, np.uint8),
                                digits[rng.integers(0, 10, (m, 3))]], axis=1)
        return np.ascontiguousarray(a).view(f"S{a.shape[1]}").ravel().astype(str)

    for kind in range(5):
        idx = np.flatnonzero(fmt == kind)
        if len(idx) == 0:
            continue
        cand = build(kind, int(len(idx) * 1.2) + 16)
        _, first = np.unique(cand, return_index=True)
        cand = cand[np.sort(first)]
        cand = np.array([c for c in cand if c not in seen], dtype=object)
        while len(cand) < len(idx):  # pragma: no cover - practically never
            more = build(kind, len(idx))
            cand = np.concatenate([cand, np.array([c for c in dict.fromkeys(more) if c not in seen and c not in set(cand)], dtype=object)])
        cand = cand[: len(idx)]
        out[idx] = cand
        seen.update(cand.tolist())
    return out


@dataclass
class World:
    preset: Preset
    seed: int
    clock: Clock
    # zones
    zone_id: np.ndarray = None
    zone_name: np.ndarray = None
    zone_rect: np.ndarray = None  # (Z, 4) x0 x1 y0 y1 metres
    # blockfaces
    bf: dict = field(default_factory=dict)
    pa: dict = field(default_factory=dict)
    sz: dict = field(default_factory=dict)
    meters: dict = field(default_factory=dict)
    props: dict = field(default_factory=dict)
    officers: dict = field(default_factory=dict)
    veh: dict = field(default_factory=dict)
    exemptions: dict = field(default_factory=dict)
    permits: dict = field(default_factory=dict)
    alpr_units: list = field(default_factory=list)
    rate_changes: list = field(default_factory=list)  # (day_idx, zone_idx, new_rate)
    # wards: a wards_x x wards_y grid over the street grid's extent (gx0, gx1, gy0, gy1, metres)
    ward_grid: tuple = None

    @property
    def n_bf(self) -> int:
        return len(self.bf["id"])


def build_world(preset: Preset, seed: int, clock: Clock) -> World:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 1])))
    w = World(preset=preset, seed=seed, clock=clock)
    H, V = preset.ew_streets, preset.ns_streets
    xs = (np.arange(V) - (V - 1) / 2) * BLOCK_W
    ys = (np.arange(H) - (H - 1) / 2) * BLOCK_H
    ew_names = _pick_names(N.EW_STREETS, H)
    ns_names = _pick_names(N.NS_STREETS, V)

    # ---- zones: rectangles of cells, edges on street centre lines ---------------------
    bx = [int(round(k * (V - 1) / preset.zones_x)) for k in range(preset.zones_x + 1)]
    by = [int(round(k * (H - 1) / preset.zones_y)) for k in range(preset.zones_y + 1)]
    rects, zids, znames = [], [], []
    zn = _pick_names([n + " St" for n in N.ZONE_NAMES], preset.zones_x * preset.zones_y)
    k = 0
    for j in range(preset.zones_y):
        for i in range(preset.zones_x):
            x0 = xs[bx[i]] - (40 if i == 0 else 0)
            x1 = xs[bx[i + 1]] + (40 if i == preset.zones_x - 1 else 0)
            y0 = ys[by[j]] - (40 if j == 0 else 0)
            y1 = ys[by[j + 1]] + (40 if j == preset.zones_y - 1 else 0)
            rects.append((x0, x1, y0, y1))
            zids.append(f"Z{k + 1:02d}")
            znames.append(zn[k][:-3] if zn[k].endswith(" St") else zn[k])
            k += 1
    w.zone_rect = np.array(rects)
    w.zone_id = np.array(zids, dtype=object)
    w.zone_name = np.array(znames, dtype=object)

    # ---- blockfaces ------------------------------------------------------------------
    rows = []  # street_name, street_idx, seg_idx, side, x0, y0, x1, y1, cell_i, cell_j, horizontal
    for j in range(H):
        for i in range(V - 1):
            for side, dy, cj in (("N", SIDE_OFFSET, j), ("S", -SIDE_OFFSET, j - 1)):
                rows.append((ew_names[j], j, i, side, xs[i] + SETBACK, ys[j] + dy, xs[i + 1] - SETBACK, ys[j] + dy, i, cj, True))
    for i in range(V):
        for j in range(H - 1):
            for side, dx, ci in (("E", SIDE_OFFSET, i), ("W", -SIDE_OFFSET, i - 1)):
                rows.append((ns_names[i], i, j, side, xs[i] + dx, ys[j] + SETBACK, xs[i] + dx, ys[j + 1] - SETBACK, ci, j, False))
    nb = len(rows)
    street = np.array([r[0] for r in rows], dtype=object)
    street_idx = np.array([r[1] for r in rows])
    seg_idx = np.array([r[2] for r in rows])
    side = np.array([r[3] for r in rows], dtype=object)
    x0 = np.array([r[4] for r in rows]); y0 = np.array([r[5] for r in rows])
    x1 = np.array([r[6] for r in rows]); y1 = np.array([r[7] for r in rows])
    horiz = np.array([r[10] for r in rows])
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    length = np.hypot(x1 - x0, y1 - y0)
    zone = np.full(nb, -1)
    for z, (a, b, c, d) in enumerate(rects):
        zone[(mx >= a) & (mx < b) & (my >= c) & (my < d) & (zone < 0)] = z
    assert (zone >= 0).all()

    gx0, gx1 = xs[0], xs[-1]
    gy0, gy1 = ys[0], ys[-1]
    cx0, cx1, cy0, cy1 = preset.core
    core_rect = (gx0 + cx0 * (gx1 - gx0) - 1, gx0 + cx1 * (gx1 - gx0) + 1, gy0 + cy0 * (gy1 - gy0) - 1, gy0 + cy1 * (gy1 - gy0) + 1)
    in_core = (mx >= core_rect[0]) & (mx <= core_rect[1]) & (my >= core_rect[2]) & (my <= core_rect[3])
    core_cx, core_cy = (core_rect[0] + core_rect[1]) / 2, (core_rect[2] + core_rect[3]) / 2
    dist_core = np.maximum(0, np.maximum(np.abs(mx - core_cx) - (core_rect[1] - core_rect[0]) / 2,
                                         np.abs(my - core_cy) - (core_rect[3] - core_rect[2]) / 2))

    paid = in_core & (rng.random(nb) < 0.9)
    # ---- permit areas: tiles of cells outside the core ----------------------------------
    tw, th = preset.permit_area_blocks
    tiles = []
    for tj in range(0, H - 1, th):
        for ti in range(0, V - 1, tw):
            ti1, tj1 = min(ti + tw, V - 1), min(tj + th, H - 1)
            rx0, rx1, ry0, ry1 = xs[ti], xs[ti1], ys[tj], ys[tj1]
            # fraction of tile inside the core
            ox = max(0, min(rx1, core_rect[1]) - max(rx0, core_rect[0]))
            oy = max(0, min(ry1, core_rect[3]) - max(ry0, core_rect[2]))
            frac_core = ox * oy / ((rx1 - rx0) * (ry1 - ry0))
            if frac_core < 0.2:
                tiles.append((rx0, rx1, ry0, ry1))
    order = rng.permutation(len(tiles))[: preset.n_permit_areas]
    pa_rects = [tiles[t] for t in sorted(order)]
    permit_area = np.full(nb, -1)
    for p, (a, b, c, d) in enumerate(pa_rects):
        inside = (mx > a) & (mx < b) & (my > c) & (my < d) & ~paid & (permit_area < 0)
        permit_area[inside & (rng.random(nb) < 0.75)] = p
    w.pa = {
        "id": np.array([f"PA-{p + 1:02d}" for p in range(len(pa_rects))], dtype=object),
        "name": np.array([f"{w.zone_name[zone[np.argmin(np.hypot(mx - (r[0] + r[1]) / 2, my - (r[2] + r[3]) / 2))]]} Residential Permit Area {p + 1}"
                          for p, r in enumerate(pa_rects)], dtype=object),
        "rect": np.array(pa_rects).reshape(-1, 4),
    }

    # ---- school zones ----------------------------------------------------------------------
    cells = [(i, j) for i in range(V - 1) for j in range(H - 1)]
    cells_out = [c for c in cells if not (core_rect[0] <= (xs[c[0]] + xs[c[0] + 1]) / 2 <= core_rect[1]
                                          and core_rect[2] <= (ys[c[1]] + ys[c[1] + 1]) / 2 <= core_rect[3])]
    pick = rng.permutation(len(cells_out))[: preset.n_school_zones]
    sz_rects, sz_names = [], []
    for n_, k in enumerate(sorted(pick)):
        i, j = cells_out[k]
        sz_rects.append((xs[i] - 20, xs[i + 1] + 20, ys[j] - 20, ys[j + 1] + 20))
        base = N.SCHOOL_PREFIX[n_ % len(N.SCHOOL_PREFIX)]
        kind = "Catholic Elementary School" if base.startswith("St.") else "Public School"
        suffix = "" if n_ < len(N.SCHOOL_PREFIX) else f" {n_ // len(N.SCHOOL_PREFIX) + 1}"
        sz_names.append(f"{base} {kind}{suffix}")
    school = np.full(nb, -1)
    for s, (a, b, c, d) in enumerate(sz_rects):
        school[(mx > a) & (mx < b) & (my > c) & (my < d) & (school < 0)] = s
    w.sz = {"id": np.array([f"SZ-{s + 1:02d}" for s in range(len(sz_rects))], dtype=object),
            "name": np.array(sz_names, dtype=object), "rect": np.array(sz_rects).reshape(-1, 4)}

    # ---- regulations ---------------------------------------------------------------------
    arterial = np.where(horiz, street_idx % 4 == 1, street_idx % 4 == 2)
    rush = arterial & ~paid & (permit_area < 0) & (rng.random(nb) < 0.6)
    time_limit = np.zeros(nb, dtype=np.int64)
    near = (~paid) & (permit_area < 0) & ~rush
    tl_p = np.where(dist_core < 2 * BLOCK_W, 0.6, 0.15)
    has_tl = near & (rng.random(nb) < tl_p)
    time_limit[has_tl] = rng.choice([60, 120, 180], size=has_tl.sum(), p=[0.2, 0.5, 0.3])
    pa_tl = (permit_area >= 0) & (rng.random(nb) < 0.5)
    time_limit[pa_tl] = 120
    max_minutes = np.where(rng.random(nb) < 0.6, 120, 180)
    time_limit[paid] = max_minutes[paid]
    kind = np.full(nb, KIND_FREE)
    kind[has_tl] = KIND_LIMIT
    kind[permit_area >= 0] = KIND_PERMIT
    kind[paid] = KIND_PAID
    cap = np.where(paid, rng.uniform(0.85, 1.0, nb), rng.uniform(0.5, 0.95, nb))
    spaces = np.maximum(1, np.floor(length / 6.5 * cap)).astype(np.int64)
    accessible = np.where(paid, rng.random(nb) < 0.35, rng.random(nb) < 0.05)
    hydrant = rng.random(nb) < 0.4
    # hourly rates are set per zone (every paid blockface of a zone shares its zone's rate)
    zone_rates = rng.choice([2.0, 2.5, 3.0], size=len(rects), p=[0.4, 0.4, 0.2])
    zr = {z: float(zone_rates[z]) for z in range(len(rects)) if (paid & (zone == z)).any()}
    rate = np.where(paid, zone_rates[zone], 0.0)

    lon0, lat0 = to_lonlat(x0, y0)
    lon1, lat1 = to_lonlat(x1, y1)
    w.bf = {
        "id": np.array([f"BF-{i + 1:05d}" for i in range(nb)], dtype=object),
        "zone": zone, "street": street, "street_idx": street_idx, "seg": seg_idx, "side": side,
        "horiz": horiz, "x0": x0, "y0": y0, "x1": x1, "y1": y1, "length": length,
        "lon0": lon0, "lat0": lat0, "lon1": lon1, "lat1": lat1,
        "spaces": spaces, "paid": paid, "time_limit": time_limit, "permit_area": permit_area,
        "school": school, "rush": rush, "kind": kind, "accessible": accessible, "hydrant": hydrant,
        "rate": rate, "max_minutes": max_minutes, "in_core": in_core, "arterial": arterial,
    }

    # ---- meters --------------------------------------------------------------------------
    m_bf, m_frac = [], []
    for b in np.flatnonzero(paid):
        n = max(1, int(spaces[b]) // 10)
        for q in range(n):
            m_bf.append(b)
            m_frac.append((q + 0.5) / n)
    m_bf = np.array(m_bf, dtype=np.int64)
    m_frac = np.array(m_frac)
    nx = np.where(horiz[m_bf], 0.0, np.where(side[m_bf] == "E", 2.5, -2.5))
    ny = np.where(horiz[m_bf], np.where(side[m_bf] == "N", 2.5, -2.5), 0.0)
    mxx = x0[m_bf] + (x1[m_bf] - x0[m_bf]) * m_frac + nx
    myy = y0[m_bf] + (y1[m_bf] - y0[m_bf]) * m_frac + ny
    mlon, mlat = to_lonlat(mxx, myy)
    inst = np.datetime64("2015-01-01") + rng.integers(0, 3600, len(m_bf)).astype("timedelta64[D]")
    w.meters = {
        "id": np.array([f"MTR-{i + 1:05d}" for i in range(len(m_bf))], dtype=object),
        "bf": m_bf, "lon": mlon, "lat": mlat, "installed_on": inst,
    }
    # first meter of each blockface (for payments) and count per blockface
    w.bf["meter_first"] = np.full(nb, -1)
    w.bf["meter_count"] = np.zeros(nb, dtype=np.int64)
    if len(m_bf):
        firsts = np.unique(m_bf, return_index=True)
        w.bf["meter_first"][firsts[0]] = firsts[1]
        w.bf["meter_count"][firsts[0]] = np.bincount(m_bf, minlength=nb)[firsts[0]]

    # rate changes: one day about 55% into the period, for a few zones with meters
    paid_zones = sorted(zr)
    if paid_zones and clock.n_days >= 3:
        n_rc = {"ci": 1, "city": 2}.get(preset.name, 5)
        zsel = [paid_zones[i] for i in sorted(rng.permutation(len(paid_zones))[:n_rc])]
        day = int(clock.n_days * 0.55)
        for z in zsel:
            w.rate_changes.append((day, z, zr[z] + 0.5))

    # ---- properties (assessment roll) ----------------------------------------------------------
    lot_w = np.where(in_core, 22.0, 15.0)
    n_lots = np.maximum(2, (length // lot_w).astype(np.int64))
    p_bf = np.repeat(np.arange(nb), n_lots)
    p_k = np.concatenate([np.arange(n) for n in n_lots])
    p_frac = (p_k + 0.5) / n_lots[p_bf]
    inward = 18.0
    px = x0[p_bf] + (x1[p_bf] - x0[p_bf]) * p_frac + np.where(horiz[p_bf], 0.0, np.where(side[p_bf] == "E", inward, -inward))
    py = y0[p_bf] + (y1[p_bf] - y0[p_bf]) * p_frac + np.where(horiz[p_bf], np.where(side[p_bf] == "N", inward, -inward), 0.0)
    plon, plat = to_lonlat(px, py)
    parity = np.isin(side[p_bf], ["N", "E"]).astype(np.int64)
    house = (seg_idx[p_bf] + 1) * 100 + 2 * p_k + 1 + parity
    addr = np.array([f"{h} {s}" for h, s in zip(house.tolist(), street[p_bf].tolist())], dtype=object)
    np_ = len(p_bf)
    core_p = in_core[p_bf]
    classes = np.array(["residential", "commercial", "industrial", "institutional", "vacant"], dtype=object)
    cls = np.where(core_p, rng.choice(5, np_, p=[0.2, 0.65, 0.0, 0.1, 0.05]),
                   rng.choice(5, np_, p=[0.86, 0.06, 0.02, 0.03, 0.03]))
    base_val = np.array([650_000, 1_500_000, 2_200_000, 3_000_000, 250_000])
    value = (base_val[cls] * rng.lognormal(0, 0.35, np_)).astype(np.int64) // 1000 * 1000
    is_person = (cls == 0) | ((cls == 1) & (rng.random(np_) < 0.2))
    fn = rng.integers(0, len(N.FIRST_NAMES), np_)
    ln = rng.integers(0, len(N.LAST_NAMES), np_)
    cw = rng.integers(0, len(N.COMPANY_WORDS), np_)
    ck = rng.integers(0, len(N.COMPANY_KINDS), np_)
    owner = np.array([f"{N.LAST_NAMES[b]}, {N.FIRST_NAMES[a]}" if p else f"{N.COMPANY_WORDS[c]} {N.LAST_NAMES[b]} {N.COMPANY_KINDS[d]}"
                      for p, a, b, c, d in zip(is_person.tolist(), fn.tolist(), ln.tolist(), cw.tolist(), ck.tolist())], dtype=object)
    wards_x = {"ci": 2, "city": 5}.get(preset.name, 5)
    wards_y = {"ci": 1, "city": 2}.get(preset.name, 5)
    w.ward_grid = (gx0, gx1, gy0, gy1, wards_x, wards_y)
    ward = ward_number(w, px, py)
    cell = (street_idx[p_bf] * 37 + seg_idx[p_bf]) % 1000
    roll = np.array([f"3012{wd:02d}{c:03d}{i + 1:06d}0000" for i, (wd, c) in enumerate(zip(ward.tolist(), cell.tolist()))], dtype=object)
    w.props = {
        "roll": roll, "address": addr, "lon": plon, "lat": plat, "class": classes[cls], "owner": owner,
        "value": value, "ward": np.array([f"Ward {x}" for x in ward.tolist()], dtype=object), "bf": p_bf,
        # complaint propensity: a few problem properties attract repeat complaints
        "weight": rng.pareto(1.8, np_) + 0.2,
    }

    # ---- officers -------------------------------------------------------------------------------
    n_park = preset.alpr_units * 2 + preset.foot_officers + preset.spare_officers
    n_by = preset.bylaw_officers
    ids, badges, units, homes, spec, active = [], [], [], [], [], []
    specs_by = ["property_standards", "noise", "zoning", "licensing", "general"]
    for i in range(n_park):
        ids.append(f"PK-{101 + i}")
        units.append("parking")
        homes.append(w.zone_id[i % len(rects)])
        spec.append("alpr" if i < preset.alpr_units * 2 else "foot_patrol")
        active.append(True)
    for i in range(n_by):
        ids.append(f"BY-{201 + i}")
        units.append("bylaw")
        homes.append(w.zone_id[i % len(rects)] if i % 3 else "")
        spec.append(specs_by[i % len(specs_by)])
        active.append(True)
    # two retired officers, inactive and never scheduled
    for i in range(2):
        ids.append(f"PK-{901 + i}")
        units.append("parking")
        homes.append("")
        spec.append("")
        active.append(False)
    badge_nums = rng.permutation(9000)[: len(ids)] + 1000
    w.officers = {
        "id": np.array(ids, dtype=object), "badge": np.array([f"K{b}" for b in badge_nums], dtype=object),
        "unit": np.array(units, dtype=object), "home": np.array(homes, dtype=object),
        "spec": np.array(spec, dtype=object), "active": np.array(active),
    }
    w.alpr_units = [f"ALPR-{u + 1:02d}" for u in range(preset.alpr_units)]

    _build_vehicles(w, rng)
    _build_exemptions(w, rng)
    _build_permits(w, rng)
    place_kerb_features(w, np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 1, 1]))))
    return w


# ---- kerb features: where along a blockface the signed restrictions are -------------------
# An ALPR read knows where the car is (the read's position, ~1.5 m GPS noise) but not which
# space it took, so a restriction that applies to part of a blockface (a hydrant, the
# accessible space, a signed no-stopping or no-parking stretch) has a position along the
# kerb, published in the blockface extract (metres from the LineString's first vertex), and
# the cars in it are parked there. Cars in ordinary spaces keep KERB_MARGIN metres away from
# any restricted stretch, so a read's position tells the two apart: the rules allow
# position_tolerance_m (3 m, dbt var) either side; KERB_MARGIN leaves 5 m (> 3 sigma) more.
KERB_MARGIN = 8.0
HYDRANT_CLEAR = 3.0  # "no parking within 3 m of a fire hydrant"
NO_STOPPING_LEN, NO_PARKING_LEN, ACCESSIBLE_LEN = 9.0, 10.0, 7.0
END_CLEAR = 3.0  # restricted stretches start this far from the blockface's ends


def place_kerb_features(w: World, rng: np.random.Generator) -> None:
    """Positions (metres along the blockface) of each blockface's restricted stretches, and the
    stretches left for ordinary parking (``free_lo``/``free_hi``, up to 5 per blockface).

    Order along the kerb: signed no stopping (corner), accessible space, hydrant, signed no
    parking (loading zone). Drawn from their own random stream: the rest of the world is the
    same with or without them. A stretch that leaves no room for ordinary parking is dropped
    (no parking first, then no stopping).
    """
    bf = w.bf
    nb = w.n_bf
    L = bf["length"]
    want_ns = rng.random(nb) < 0.4
    want_np = rng.random(nb) < 0.4
    hyd_frac = rng.uniform(0.45, 0.7, nb)
    nan = np.full(nb, np.nan)
    out = {k: nan.copy() for k in ("ns_from", "ns_to", "acc_from", "acc_to", "hyd_at", "np_from", "np_to")}
    free_lo = np.zeros((nb, 5))
    free_hi = np.zeros((nb, 5))
    for b in range(nb):
        length = float(L[b])
        for drop in range(3):
            ns = want_ns[b] and drop < 2
            npk = want_np[b] and drop < 1
            segs = []  # (kind, from, to) in order along the kerb
            cur = END_CLEAR
            if ns:
                segs.append(("ns", cur, cur + NO_STOPPING_LEN))
                cur += NO_STOPPING_LEN + KERB_MARGIN
            if bf["accessible"][b]:
                a = max(cur, 0.2 * length)
                segs.append(("acc", a, a + ACCESSIBLE_LEN))
                cur = a + ACCESSIBLE_LEN + KERB_MARGIN
            if bf["hydrant"][b]:
                h = max(cur + HYDRANT_CLEAR, hyd_frac[b] * length)
                segs.append(("hyd", h - HYDRANT_CLEAR, h + HYDRANT_CLEAR))
                cur = h + HYDRANT_CLEAR + KERB_MARGIN
            if npk:
                segs.append(("np", length - END_CLEAR - NO_PARKING_LEN, length - END_CLEAR))
            # ordinary spaces: [3%, 97%] of the blockface away from every stretch
            lo, hi = 0.03 * length, 0.97 * length
            gaps, edge = [], lo
            for _, a, z in segs:
                gaps.append((edge, a - KERB_MARGIN))
                edge = max(edge, z + KERB_MARGIN)
            gaps.append((edge, hi))
            gaps = [(max(a, lo), min(z, hi)) for a, z in gaps]
            gaps = [(a, z) for a, z in gaps if z - a > 0.5]
            ok = all(z <= length - END_CLEAR + 1e-9 for _, _, z in segs) and sum(z - a for a, z in gaps) >= 6.0
            if ok or drop == 2:
                break
        for kind, a, z in segs:
            if kind == "hyd":
                out["hyd_at"][b] = (a + z) / 2
            else:
                out[f"{kind}_from"][b], out[f"{kind}_to"][b] = a, z
        for i, (a, z) in enumerate(gaps[:5]):
            free_lo[b, i], free_hi[b, i] = a, z
    bf.update(out)
    bf["free_lo"], bf["free_hi"] = free_lo, free_hi
    bf["snow"] = bf["arterial"].copy()  # arterials are the declared snow routes


def kerb_position(w: World, ebf: np.ndarray, spot: np.ndarray, u: np.ndarray, kinds: dict[int, str]) -> np.ndarray:
    """Metres along the blockface where each car parks: ordinary cars spread over the free
    stretches (u in [0, 1) picks the place), cars in a restricted spot inside that stretch."""
    bf = w.bf
    lo, hi = bf["free_lo"][ebf], bf["free_hi"][ebf]
    width = hi - lo
    cum = np.cumsum(width, axis=1)
    target = u * cum[:, -1]
    i = np.minimum((target[:, None] >= cum).sum(axis=1), 4)
    before = np.where(i > 0, cum[np.arange(len(ebf)), np.maximum(i - 1, 0)], 0.0)
    s = lo[np.arange(len(ebf)), i] + (target - before)
    for spot_kind, key in kinds.items():
        m = spot == spot_kind
        if not m.any():
            continue
        if key == "hyd":  # parked at the hydrant: within 1.5 m of it
            a, z = bf["hyd_at"][ebf[m]] - 1.5, bf["hyd_at"][ebf[m]] + 1.5
        else:  # inside the stretch, at least 0.5 m from its ends
            a, z = bf[f"{key}_from"][ebf[m]] + 0.5, bf[f"{key}_to"][ebf[m]] - 0.5
        s[m] = a + u[m] * (z - a)
    return s


def _build_vehicles(w: World, rng: np.random.Generator) -> None:
    p = w.preset
    bf = w.bf
    n_pa = len(w.pa["id"])
    pa_spaces = np.bincount(bf["permit_area"][bf["permit_area"] >= 0], weights=bf["spaces"][bf["permit_area"] >= 0], minlength=n_pa)
    n_res_area = np.ceil(pa_spaces * 0.9).astype(np.int64)
    n_res = int(n_res_area.sum())
    n = p.n_vehicles + n_res + p.n_exempt
    r = rng.random(n)
    provs = np.full(n, "ON", dtype=object)
    provs[(r >= 0.92) & (r < 0.95)] = "QC"
    oth = (r >= 0.95) & (r < 0.965)
    provs[oth] = np.array(N.OTHER_PROV, dtype=object)[rng.integers(0, len(N.OTHER_PROV), oth.sum())]
    us = r >= 0.965
    provs[us] = np.array(N.US_STATES, dtype=object)[rng.integers(0, len(N.US_STATES), us.sum())]
    # residents and exempt fleets are local
    provs[: n_res + p.n_exempt] = "ON"
    plates = make_plates(rng, provs)
    mm = rng.integers(0, len(N.MAKES_MODELS), n)
    col = rng.integers(0, len(N.COLOURS), n)
    home_area = np.full(n, -1)
    home_area[:n_res] = np.repeat(np.arange(n_pa), n_res_area)
    klass = np.zeros(n, dtype=np.int8)  # 0 general, 1 resident, 2 exempt
    klass[:n_res] = 1
    klass[n_res:n_res + p.n_exempt] = 2
    weight = rng.lognormal(0.0, 1.3, n)
    w.veh = {
        "plate": plates, "prov": provs,
        "make": np.array([N.MAKES_MODELS[i][0] for i in mm], dtype=object),
        "model": np.array([N.MAKES_MODELS[i][1] for i in mm], dtype=object),
        "colour": np.array(N.COLOURS, dtype=object)[col],
        "home_area": home_area, "klass": klass, "weight": weight,
        "n_res": n_res, "res_start": np.concatenate([[0], np.cumsum(n_res_area)]),
    }
    gen = np.flatnonzero(klass == 0)
    w.veh["general"] = gen
    cdf = np.cumsum(weight[gen])
    w.veh["general_cdf"] = cdf / cdf[-1]
    # permit-holding subsets of the general pool
    w.veh["accessible"] = gen[rng.random(len(gen)) < 0.02]
    w.veh["commercial"] = gen[rng.random(len(gen)) < 0.007]


def _build_exemptions(w: World, rng: np.random.Generator) -> None:
    p = w.preset
    c = w.clock
    start = np.datetime64(c.start)
    end = np.datetime64(c.end)
    veh = np.flatnonzero(w.veh["klass"] == 2)
    n = len(veh)
    reasons = np.array(["municipal_fleet", "enforcement_officer", "contractor", "utility", "funeral"], dtype=object)
    reason = reasons[rng.choice(5, n, p=[0.5, 0.1, 0.15, 0.15, 0.1])]
    zonal = np.isin(reason, ["contractor", "utility"]) & (rng.random(n) < 0.6)
    zone = np.where(zonal, rng.integers(0, len(w.zone_id), n), -1)
    vf = start - rng.integers(30, 700, n).astype("timedelta64[D]")
    vt = end + rng.integers(30, 400, n).astype("timedelta64[D]")
    expired = rng.random(n) < 0.08
    vt = np.where(expired, start - rng.integers(1, 200, n).astype("timedelta64[D]"), vt)
    w.exemptions = {"id": np.array([f"EX-{i + 1:05d}" for i in range(n)], dtype=object), "veh": veh,
                    "reason": reason, "zone": zone, "valid_from": vf, "valid_to": vt}
    # per-vehicle lookup (one exemption per exempt vehicle)
    ex_zone = np.full(len(w.veh["plate"]), -2)  # -2: not exempt, -1: all zones, z: that zone
    active = ~expired
    ex_zone[veh[active]] = zone[active]
    w.veh["ex_zone"] = ex_zone


def _build_permits(w: World, rng: np.random.Generator) -> None:
    """The permit register over the whole period (and the year before, as backfill)."""
    c = w.clock
    start = np.datetime64(c.start)
    end = np.datetime64(c.end)
    rows_type, rows_veh, rows_area, rows_vf, rows_vt, rows_issued = [], [], [], [], [], []

    def add(ptype, veh, area, vf, vt, issued_day):
        rows_type.append(np.full(len(veh), ptype, dtype=object))
        rows_veh.append(np.asarray(veh, dtype=np.int64))
        rows_area.append(np.asarray(area, dtype=np.int64))
        rows_vf.append(np.asarray(vf, dtype="datetime64[D]"))
        rows_vt.append(np.asarray(vt, dtype="datetime64[D]"))
        rows_issued.append(np.asarray(issued_day, dtype="datetime64[D]"))

    n_res = w.veh["n_res"]
    res = np.arange(n_res)
    has = rng.random(n_res) < 0.95
    holders = res[has]
    vf = start - rng.integers(0, 365, len(holders)).astype("timedelta64[D]")
    # chains of yearly permits with renewal
    cur_veh, cur_vf = holders, vf
    while len(cur_veh):
        vt = cur_vf + np.timedelta64(364, "D")
        issued = cur_vf - rng.integers(1, 21, len(cur_veh)).astype("timedelta64[D]")
        add("residential", cur_veh, w.veh["home_area"][cur_veh], cur_vf, vt, issued)
        renew = (vt <= end) & (rng.random(len(cur_veh)) < 0.96)
        cur_veh, cur_vf = cur_veh[renew], vt[renew] + np.timedelta64(1, "D")
    # residents without a permit: some buy one during the period
    late = res[~has]
    late = late[rng.random(len(late)) < 0.6]
    if len(late):
        d = start + rng.integers(0, c.n_days, len(late)).astype("timedelta64[D]")
        add("residential", late, w.veh["home_area"][late], d + np.timedelta64(1, "D"), d + np.timedelta64(365, "D"), d)
    # commercial and accessible permits are city-wide (area -1)
    for ptype, pool, years in (("commercial", w.veh["commercial"], 1), ("accessible", w.veh["accessible"], 5)):
        vf = start - rng.integers(0, 365 * years, len(pool)).astype("timedelta64[D]")
        vt = vf + np.timedelta64(365 * years - 1, "D")
        issued = vf - rng.integers(1, 15, len(pool)).astype("timedelta64[D]")
        add(ptype, pool, np.full(len(pool), -1), vf, vt, issued)
        exp = (vt <= end) & (rng.random(len(pool)) < 0.92)
        if exp.any():
            nvf = vt[exp] + np.timedelta64(1, "D")
            add(ptype, pool[exp], np.full(exp.sum(), -1), nvf, nvf + np.timedelta64(365 * years - 1, "D"),
                nvf - rng.integers(1, 15, exp.sum()).astype("timedelta64[D]"))
    # event permits: a few events in permit areas
    n_pa = len(w.pa["id"])
    n_events = max(1, c.n_days // 12) if n_pa else 0
    gen = w.veh["general"]
    for e in range(n_events):
        day = start + np.timedelta64(int(rng.integers(0, c.n_days)), "D")
        k = int(rng.integers(5, 30))
        v = gen[rng.integers(0, len(gen), k)]
        area = int(rng.integers(0, n_pa))
        issued = day - rng.integers(0, 10, k).astype("timedelta64[D]")
        issued = np.maximum(issued, start)
        issued = np.minimum(issued, day)
        add("event", np.unique(v), np.full(len(np.unique(v)), area), np.full(len(np.unique(v)), day),
            np.full(len(np.unique(v)), day), issued[: len(np.unique(v))])

    ptype = np.concatenate(rows_type)
    veh = np.concatenate(rows_veh)
    area = np.concatenate(rows_area)
    vf = np.concatenate(rows_vf)
    vt = np.concatenate(rows_vt)
    issued_day = np.concatenate(rows_issued)
    n = len(ptype)
    # issue time: business hours (online applications any time)
    secs = np.where(rng.random(n) < 0.6, rng.integers(9 * HOUR, 17 * HOUR, n), rng.integers(7 * HOUR, 23 * HOUR, n))
    day_idx = (issued_day - start).astype(np.int64)
    issued_at = c.local_to_utc(day_idx, secs)
    status = np.full(n, "approved", dtype=object)
    r = rng.random(n)
    status[r < 0.01] = "revoked"
    # permits issued in the last days of the period are still pending
    pend = (issued_day >= end - np.timedelta64(3, "D")) & (r > 0.6)
    status[pend] = "pending"
    fee = np.select([ptype == "residential", ptype == "commercial", ptype == "accessible"], [75.0, 420.0, 0.0], 15.0)
    order = np.lexsort((veh, issued_at))
    w.permits = {
        "type": ptype[order], "veh": veh[order], "area": area[order], "valid_from": vf[order],
        "valid_to": vt[order], "issued_at": issued_at[order], "status": status[order], "fee": fee[order],
    }
    prefix = {"residential": "RP", "commercial": "CP", "accessible": "AP", "event": "EP"}
    w.permits["id"] = np.array([f"{prefix[t]}-{i + 1:07d}" for i, t in enumerate(w.permits["type"].tolist())], dtype=object)


def permit_state(w: World, day_idx: int) -> dict:
    """Which vehicles hold a valid permit on a day: residential/event area, city-wide commercial, accessible."""
    d = np.datetime64(w.clock.start) + np.timedelta64(day_idx, "D")
    p = w.permits
    ok = (p["status"] == "approved") & (p["valid_from"] <= d) & (p["valid_to"] >= d)
    nveh = len(w.veh["plate"])
    area = np.full(nveh, -1)
    m = ok & np.isin(p["type"], ["residential", "event"])
    area[p["veh"][m]] = p["area"][m]
    commercial = np.zeros(nveh, dtype=bool)
    commercial[p["veh"][ok & (p["type"] == "commercial")]] = True
    accessible = np.zeros(nveh, dtype=bool)
    accessible[p["veh"][ok & (p["type"] == "accessible")]] = True
    return {"area": area, "commercial": commercial, "accessible": accessible}
