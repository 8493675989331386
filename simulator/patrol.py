"""Enforcement in the field: shifts, ALPR patrol routes and plate reads, foot patrol, tickets."""

from __future__ import annotations

import numpy as np

from .names import VIOLATION_TYPES, VIOLATIONS
from .timeutil import HOUR, MINUTE, NULL_TS
from .world import KIND_FREE, KIND_PAID, World, to_lonlat

CONFUSE = {
    "O": "0", "0": "O", "B": "8", "8": "B", "I": "1", "1": "I", "S": "5", "5": "S",
    "Z": "2", "2": "Z", "G": "6", "6": "G", "D": "0", "Q": "O",
}
MODE_ALPR, MODE_FOOT, MODE_BYLAW = 0, 1, 2
MODE_NAMES = np.array(["alpr", "foot", "bylaw"], dtype=object)


def routes(w: World) -> dict:
    """Fixed driving order of enforceable blockfaces per zone (serpentine over streets)."""
    bf = w.bf
    enforce = (bf["kind"] != KIND_FREE) | bf["rush"] | (bf["school"] >= 0)
    out = {}
    for z in range(len(w.zone_id)):
        idx = np.flatnonzero((bf["zone"] == z) & enforce)
        order = np.lexsort((np.where(bf["street_idx"][idx] % 2 == 0, bf["seg"][idx], -bf["seg"][idx]),
                            bf["street_idx"][idx], ~bf["horiz"][idx]))
        out[z] = idx[order]
    paid = {}
    for z in range(len(w.zone_id)):
        idx = np.flatnonzero((bf["zone"] == z) & (bf["kind"] == KIND_PAID))
        order = np.lexsort((bf["seg"][idx], bf["street_idx"][idx], ~bf["horiz"][idx]))
        paid[z] = idx[order]
    return {"alpr": out, "foot": paid}


def make_shifts(w: World, k: int, rng: np.random.Generator) -> dict:
    p = w.preset
    c = w.clock
    wd = c.dates[k].weekday()
    off = w.officers
    park = np.flatnonzero((off["unit"] == "parking") & off["active"])
    n_alpr_off = p.alpr_units * 2
    alpr_off = park[:n_alpr_off]
    foot_off = park[n_alpr_off:n_alpr_off + p.foot_officers]
    spares = park[n_alpr_off + p.foot_officers:]
    bylaw = np.flatnonzero((off["unit"] == "bylaw") & off["active"])
    zones_with_paid = sorted({int(z) for z in w.bf["zone"][w.bf["paid"]]}) or [0]
    nz = len(w.zone_id)
    rows = []  # officer, start_local, end_local, zone, mode, unit
    for u in range(p.alpr_units):
        unit = w.alpr_units[u]
        if wd < 5:
            slots = [(7 * HOUR, 15 * HOUR), (15 * HOUR, 23 * HOUR)]
        elif wd == 5:
            slots = [(9 * HOUR, 17 * HOUR), (16 * HOUR, 23 * HOUR)]
        else:
            slots = [(10 * HOUR, 18 * HOUR)]
        for s_i, (a, b) in enumerate(slots):
            o = alpr_off[(u * 2 + s_i + k) % len(alpr_off)] if len(alpr_off) else spares[0]
            zone = (u + k * p.alpr_units + s_i) % nz
            rows.append((o, a, b, zone, MODE_ALPR, unit))
    for i, o in enumerate(foot_off):
        if wd == 6 and i % 2:
            continue
        a = 8 * HOUR if (i + k) % 3 else 10 * HOUR
        zone = zones_with_paid[(i + k) % len(zones_with_paid)]
        rows.append((o, a, a + 8 * HOUR, zone, MODE_FOOT, ""))
    for i, o in enumerate(bylaw):
        if wd >= 5 and (i + k) % 4:
            continue
        a = 8 * HOUR + 30 * MINUTE if wd < 5 else 10 * HOUR
        home = w.officers["home"][o]
        zi = int(np.flatnonzero(w.zone_id == home)[0]) if home else -1
        rows.append((o, a, a + 8 * HOUR, zi, MODE_BYLAW, ""))
    # absences covered by spares
    officer = np.array([r[0] for r in rows], dtype=np.int64)
    used = set(officer.tolist())
    free_spares = [s for s in spares if s not in used]
    for i in range(len(rows)):
        if rows[i][4] != MODE_BYLAW and free_spares and rng.random() < 0.08:
            officer[i] = free_spares.pop(0)
    n = len(rows)
    start_l = np.array([r[1] for r in rows], dtype=np.int64) + rng.integers(-5, 6, n) * MINUTE
    end_l = np.array([r[2] for r in rows], dtype=np.int64) + rng.integers(-5, 16, n) * MINUTE
    start = c.local_to_utc(np.full(n, k), start_l)
    end = c.local_to_utc(np.full(n, k), end_l)
    date_s = c.dates[k].strftime("%Y%m%d")
    oid = w.officers["id"][officer]
    return {
        "officer": officer, "start": start, "end": end, "zone": np.array([r[3] for r in rows]),
        "mode": np.array([r[4] for r in rows]), "unit": np.array([r[5] for r in rows], dtype=object),
        "shift_id": np.array([f"SH-{date_s}-{o}" for o in oid.tolist()], dtype=object),
    }


def make_visits(w: World, shifts: dict, rt: dict, rng: np.random.Generator) -> dict:
    """Blockface visits of ALPR and foot shifts: (shift, blockface, start, duration)."""
    sh_i, vb, vt, vd = [], [], [], []
    for i in range(len(shifts["start"])):
        mode = shifts["mode"][i]
        if mode == MODE_BYLAW:
            continue
        z = int(shifts["zone"][i])
        if mode == MODE_ALPR:
            # an ALPR car covers its zone and the next ones
            route = np.concatenate([rt["alpr"][(z + j) % len(rt["alpr"])] for j in range(max(1, min(4, len(rt["alpr"]))))])
            step_lo, step_hi = w.preset.alpr_step_s
        else:
            route = rt["foot"].get(z, np.array([], dtype=np.int64))
            step_lo, step_hi = 180, 420
        if len(route) == 0:
            continue
        t0, t1 = int(shifts["start"][i]) + 15 * MINUTE, int(shifts["end"][i]) - 15 * MINUTE
        n_est = int((t1 - t0) / ((step_lo + step_hi) / 2)) + 10
        steps = rng.uniform(step_lo, step_hi, n_est)
        t = t0 + np.concatenate([[0], np.cumsum(steps)[:-1]])
        mid = (t0 + t1) / 2
        t = np.where(t >= mid, t + 30 * MINUTE, t)  # meal break
        ok = t + steps < t1
        t, steps = t[ok], steps[ok]
        start = int(rng.integers(0, len(route)))
        seq = route[(start + np.arange(len(t))) % len(route)]
        sh_i.append(np.full(len(t), i))
        vb.append(seq)
        vt.append(t.astype(np.int64))
        vd.append(np.minimum(steps, 90.0 if mode == MODE_ALPR else 240.0))
    if not sh_i:
        e = np.array([], dtype=np.int64)
        return {"shift": e, "bf": e, "t": e, "dur": np.array([])}
    return {"shift": np.concatenate(sh_i), "bf": np.concatenate(vb), "t": np.concatenate(vt), "dur": np.concatenate(vd)}


def observe(active: dict, visits: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(visit index, active-episode index, time) for every parked car passed during a visit."""
    if len(visits["bf"]) == 0 or len(active["bf"]) == 0:
        e = np.array([], dtype=np.int64)
        return e, e, e
    order = np.argsort(active["bf"], kind="stable")
    sbf = active["bf"][order]
    lo = np.searchsorted(sbf, visits["bf"], side="left")
    hi = np.searchsorted(sbf, visits["bf"], side="right")
    cnt = hi - lo
    vi = np.repeat(np.arange(len(cnt)), cnt)
    start_of = np.repeat(lo - np.concatenate([[0], np.cumsum(cnt)[:-1]]), cnt)
    ei = order[np.arange(len(vi)) + start_of]
    t = visits["t"][vi] + (active["frac"][ei] * visits["dur"][vi]).astype(np.int64)
    present = (active["arr"][ei] <= t) & (t < active["dep"][ei])
    return vi[present], ei[present], t[present]


def misread(plates: list[str], rng: np.random.Generator) -> list[str]:
    out = []
    for p in plates:
        pos = [i for i, ch in enumerate(p) if ch in CONFUSE]
        if pos:
            i = pos[int(rng.integers(0, len(pos)))]
            q = p[:i] + CONFUSE[p[i]] + p[i + 1:]
        else:
            i = int(rng.integers(0, len(p)))
            while p[i] == " ":
                i = (i + 1) % len(p)
            alt = "0123456789" if p[i].isdigit() else "ABCDEFGHJKLMNPRSTVWXYZ"
            ch = alt[int(rng.integers(0, len(alt)))]
            if ch == p[i]:
                ch = alt[(alt.index(ch) + 1) % len(alt)]
            q = p[:i] + ch + p[i + 1:]
        out.append(q)
    return out


def _jitter_lonlat(x, y, sigma, rng):
    n = len(x)
    lon, lat = to_lonlat(x + rng.normal(0, sigma, n), y + rng.normal(0, sigma, n))
    return lon, lat


def street_address(w: World, bfi: np.ndarray, frac: np.ndarray) -> np.ndarray:
    bf = w.bf
    lot_w = np.where(bf["in_core"][bfi], 22.0, 15.0)
    n_lots = np.maximum(2, (bf["length"][bfi] // lot_w).astype(np.int64))
    kk = np.minimum((frac * n_lots).astype(np.int64), n_lots - 1)
    parity = np.isin(bf["side"][bfi], ["N", "E"]).astype(np.int64)
    house = (bf["seg"][bfi] + 1) * 100 + 2 * kk + 1 + parity
    return np.array([f"{h} {s}" for h, s in zip(house.tolist(), bf["street"][bfi].tolist())], dtype=object)


def patrol_day(w: World, k: int, rng: np.random.Generator, active: dict, shifts: dict, rt: dict,
               read_seq: int, misread_rate: float) -> tuple[dict, dict]:
    """Reads of the ALPR units and tickets of the officers for day k."""
    p = w.preset
    c = w.clock
    visits = make_visits(w, shifts, rt, rng)
    vi, ei, t = observe(active, visits)
    mode = shifts["mode"][visits["shift"][vi]] if len(vi) else np.array([], dtype=np.int64)

    # ---- ALPR reads -------------------------------------------------------------------------
    ma = mode == MODE_ALPR
    ra_vi, ra_ei, ra_t = vi[ma], ei[ma], t[ma]
    captured = rng.random(len(ra_ei)) < 0.97
    ra_vi, ra_ei, ra_t = ra_vi[captured], ra_ei[captured], ra_t[captured]
    o = np.lexsort((active["eid"][ra_ei], ra_t))
    ra_vi, ra_ei, ra_t = ra_vi[o], ra_ei[o], ra_t[o]
    nr = len(ra_ei)
    veh = active["veh"][ra_ei]
    true_plate = w.veh["plate"][veh]
    prov = w.veh["prov"][veh]
    is_mis = rng.random(nr) < misread_rate
    read_plate = true_plate.copy()
    if is_mis.any():
        read_plate[is_mis] = np.array(misread(true_plate[is_mis].tolist(), rng), dtype=object)
    conf = np.where(is_mis, rng.uniform(0.52, 0.86, nr), np.clip(rng.beta(9, 1.2, nr) * 0.14 + 0.85, 0, 0.999))
    low = (~is_mis) & (rng.random(nr) < 0.03)
    conf = np.where(low, rng.uniform(0.6, 0.85, nr), conf)
    region = prov.copy()
    region[(rng.random(nr) < 0.01)] = "XX"
    lon, lat = _jitter_lonlat(active["x"][ra_ei], active["y"][ra_ei], 1.5, rng)
    shift_of = visits["shift"][ra_vi]
    unit = shifts["unit"][shift_of]
    cam_side = np.where(rng.random(nr) < 0.5, "-L", "-R")
    camera = np.array([u + s for u, s in zip(unit.tolist(), cam_side.tolist())], dtype=object)
    date_s = c.dates[k].strftime("%Y%m%d")
    rid = np.array([f"RD{date_s}-{read_seq + i:07d}" for i in range(nr)], dtype=object)
    has_img = rng.random(nr) < 0.85
    ymd = c.dates[k].strftime("%Y/%m/%d")
    img = np.where(has_img, np.array([f"alpr-evidence/{ymd}/{r}.jpg" for r in rid.tolist()], dtype=object), "")
    reads = {
        "read_id": rid, "plate": read_plate, "region": region, "confidence": conf, "captured_at": ra_t,
        "lat": lat, "lon": lon, "camera_id": camera, "unit_id": unit,
        "officer_id": w.officers["id"][shifts["officer"][shift_of]], "image_ref": img.astype(object),
        "_t": ra_t, "_veh": veh, "_is_mis": is_mis, "_eid": active["eid"][ra_ei],
    }

    # ---- tickets ----------------------------------------------------------------------------
    vs, ve, dep = active["vs"], active["ve"], active["dep"]
    tick_ei, tick_t, tick_method, tick_src, tick_shift, tick_read = [], [], [], [], [], []
    # ALPR-assisted: a hit for a car in violation, confirmed by the officer
    hit = (vs[ra_ei] != NULL_TS) & (vs[ra_ei] <= ra_t) & (ra_t < ve[ra_ei]) & ~active["ticketed"][ra_ei]
    hit &= rng.random(nr) < p.p_ticket_alpr
    h = np.flatnonzero(hit)
    delay = rng.integers(60, 300, len(h))
    ti = ra_t[h] + delay
    school = active["vtype"][ra_ei[h]] == VIOLATION_TYPES.index("school_zone")
    windshield = (ti < np.minimum(ve[ra_ei[h]], dep[ra_ei[h]])) & ~school
    mail = ~windshield & (school | (rng.random(len(h)) < 0.6))
    sel = windshield | mail
    tick_ei.append(ra_ei[h][sel])
    tick_t.append(np.where(windshield, ti, ra_t[h])[sel])
    tick_method.append(np.where(windshield, "windshield", "mail")[sel])
    tick_src.append(np.full(sel.sum(), "alpr"))
    tick_shift.append(visits["shift"][ra_vi[h]][sel])
    tick_read.append(rid[h][sel])
    # foot patrol
    mf = mode == MODE_FOOT
    f_vi, f_ei, f_t = vi[mf], ei[mf], t[mf]
    hitf = (vs[f_ei] != NULL_TS) & (vs[f_ei] <= f_t) & (f_t < ve[f_ei]) & ~active["ticketed"][f_ei]
    hitf &= rng.random(len(f_ei)) < p.p_ticket_foot
    hf = np.flatnonzero(hitf)
    tif = f_t[hf] + rng.integers(60, 240, len(hf))
    okf = tif < np.minimum(ve[f_ei[hf]], dep[f_ei[hf]])
    hf, tif = hf[okf], tif[okf]
    tick_ei.append(f_ei[hf])
    tick_t.append(tif)
    tick_method.append(np.full(len(hf), "windshield"))
    tick_src.append(np.full(len(hf), "manual"))
    tick_shift.append(visits["shift"][f_vi[hf]])
    tick_read.append(np.full(len(hf), "", dtype=object))

    t_ei = np.concatenate(tick_ei)
    t_t = np.concatenate(tick_t).astype(np.int64)
    t_method = np.concatenate(tick_method).astype(object)
    t_src = np.concatenate(tick_src).astype(object)
    t_shift = np.concatenate(tick_shift).astype(np.int64)
    t_read = np.concatenate(tick_read).astype(object)
    # one ticket per episode: the earliest
    o = np.lexsort((active["eid"][t_ei], t_t))
    t_ei, t_t, t_method, t_src, t_shift, t_read = t_ei[o], t_t[o], t_method[o], t_src[o], t_shift[o], t_read[o]
    _, first = np.unique(active["eid"][t_ei], return_index=True)
    first = np.sort(first)
    t_ei, t_t, t_method, t_src, t_shift, t_read = t_ei[first], t_t[first], t_method[first], t_src[first], t_shift[first], t_read[first]
    o = np.lexsort((active["eid"][t_ei], t_t))
    t_ei, t_t, t_method, t_src, t_shift, t_read = t_ei[o], t_t[o], t_method[o], t_src[o], t_shift[o], t_read[o]
    active["ticketed"][t_ei] = True
    nt = len(t_ei)
    vt = active["vtype"][t_ei]
    vnames = np.array(VIOLATION_TYPES, dtype=object)[vt]
    code = np.array([VIOLATIONS[v][0] for v in vnames.tolist()], dtype=object)
    fine = np.array([VIOLATIONS[v][2] for v in vnames.tolist()], dtype=np.float64)
    tveh = active["veh"][t_ei]
    tbf = active["bf"][t_ei]
    tlon, tlat = _jitter_lonlat(active["x"][t_ei], active["y"][t_ei], 3.0, rng)

    def maybe(arr, p_missing):
        arr = arr.copy()
        arr[rng.random(len(arr)) < p_missing] = ""
        return arr

    tickets = {
        "issued_at": t_t, "officer_id": w.officers["id"][shifts["officer"][t_shift]], "bylaw_code": code,
        "violation_type": vnames, "fine_amount": fine, "plate": w.veh["plate"][tveh], "province": w.veh["prov"][tveh],
        "make": maybe(w.veh["make"][tveh], 0.08), "model": maybe(w.veh["model"][tveh], 0.15),
        "colour": maybe(w.veh["colour"][tveh], 0.05), "lat": tlat, "lon": tlon,
        "street_address": street_address(w, tbf, active["frac"][t_ei]),
        "blockface_id": maybe(w.bf["id"][tbf], 0.05), "zone_id": maybe(w.zone_id[w.bf["zone"][tbf]], 0.03),
        "issue_method": t_method, "detection_source": t_src,
        "evidence_ref": np.array([f"EV-{r}" if r else "" for r in t_read.tolist()], dtype=object),
        "_t": t_t, "_eid": active["eid"][t_ei], "_read": t_read,
    }
    if nt:
        manual_photo = (t_src == "manual") & (rng.random(nt) < 0.6)
        ev = tickets["evidence_ref"]
        tickets["evidence_ref"] = np.where(manual_photo, "PHOTO", ev).astype(object)
    return reads, tickets
