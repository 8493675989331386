"""The simulation loop: build the world, then live it day by day and deliver the extracts."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import parking as P
from .alpr_truth import read_truth
from .bylaw import Bylaw
from .delivery import SIMULATED_EVENT_SOURCES, Delivery
from .sink import Sink
from .lifecycle import TicketLifecycle
from .names import FAULT_CODES, VIOLATION_TYPES
from .patrol import MODE_NAMES, make_shifts, misread, patrol_day, routes
from .presets import PRESETS
from .timeutil import HOUR, MINUTE, NULL_TS, Clock
from .world import World, build_world, permit_state, ward_cells

DEFAULT_END = dt.date(2026, 10, 31)
REFERENCE_SOURCES = ("zones", "blockfaces", "permit_areas", "school_zones", "meters", "exemptions",
                     "assessment_roll", "officers", "wards")


def _rng(seed: int, stream: int, k: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stream, k])))


def _concat(a, b):
    if isinstance(a, (pa.Array, pa.ChunkedArray)):
        return pa.concat_arrays([a if isinstance(a, pa.Array) else a.combine_chunks(),
                                 b if isinstance(b, pa.Array) else b.combine_chunks()])
    return np.concatenate([a, b])


def _rect_polygon(x0, x1, y0, y1):
    """A rectangle given in the world's metres as a GeoJSON polygon in lon/lat."""
    from .world import to_lonlat

    lon0, lat0 = to_lonlat(x0, y0)
    lon1, lat1 = to_lonlat(x1, y1)
    r = lambda v: round(float(v), 6)  # noqa: E731
    return {"type": "Polygon", "coordinates": [[[r(lon0), r(lat0)], [r(lon1), r(lat0)], [r(lon1), r(lat1)],
                                                [r(lon0), r(lat1)], [r(lon0), r(lat0)]]]}


def generate(preset: str, seed: int, out: Path, end_date: dt.date | None = None,
             progress: Callable[[str, float], None] | None = None) -> dict:
    """Generate the demo municipality's source extracts and ground truth under ``out``.

    Same preset, seed and end date give byte-identical files. Returns a summary dict.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    p = PRESETS[preset]
    end = end_date or DEFAULT_END
    if isinstance(end, str):
        end = dt.date.fromisoformat(end)
    start = end - dt.timedelta(days=p.days - 1)
    out = Path(out)
    say = progress or (lambda msg, frac: None)

    # the simulator owns these folders: start them clean so stale days never linger
    for s in SIMULATED_EVENT_SOURCES + REFERENCE_SOURCES:
        d = out / "landing" / s
        if d.exists():
            shutil.rmtree(d)
    gt = out / "ground_truth"
    if gt.exists():
        shutil.rmtree(gt)
    gt.mkdir(parents=True, exist_ok=True)

    say("building the world", 0.0)
    clock = Clock(start, end)
    w = build_world(p, seed, clock)
    dl = Delivery(out, clock, seed)  # buffers events until their delivery day; writes reference files
    ref_rows = _write_reference(w, dl)
    _emit_permits(w, dl)
    sink = Sink(str(out), start, end, seed, p.defects_per_source, p.defect_rate, p.dup_rate)
    result = _simulate(w, p, seed, dl, sink, say)
    next_eid = result.pop("next_eid")
    say("writing ground truth", 0.99)
    return _finish(w, preset, seed, out, gt, ref_rows, result, next_eid, say)


def _simulate(w: World, p, seed: int, dl: Delivery, sink, say) -> dict:
    clock = w.clock
    life = TicketLifecycle(seed, dispute_rate=0.1 if p.name == "ci" else 0.06,
                           dispute_lag_days=2.0 if p.name == "ci" else 4.0,
                           screening_lag_days=2.0 if p.name == "ci" else 5.0)
    bylaw = Bylaw(w)
    rt = routes(w)
    rate = w.bf["rate"].copy()
    next_eid = 1
    ticket_seq = 0
    sess_seq = {"a": 0, "b": 0}
    me_seq = 0
    last_month = None

    plate_pa = pa.array(w.veh["plate"].tolist(), type=pa.string())
    prov_pa = pa.array(w.veh["prov"].tolist(), type=pa.string())
    bfid_pa = pa.array(w.bf["id"].tolist(), type=pa.string())
    vnames_pa = pa.array(VIOLATION_TYPES + [None], type=pa.string())
    paynames_pa = pa.array(P.PAY_NAMES.tolist(), type=pa.string())

    def episode_truth(eps):
        return {
            "episode_id": eps["eid"], "plate": pc.take(plate_pa, eps["veh"]), "province": pc.take(prov_pa, eps["veh"]),
            "blockface_id": pc.take(bfid_pa, eps["bf"]), "arrived_at": eps["arr"],
            "departed_at": eps["dep"], "paid_until": np.where(eps["typo"], NULL_TS, eps["paid_until"]),
            "has_permit": eps["has_permit"], "exempt": eps["exempt"], "in_violation": eps["vtype"] >= 0,
            "violation_type": pc.take(vnames_pa, np.where(eps["vtype"] >= 0, eps["vtype"], len(VIOLATION_TYPES))),
            "violation_start": eps["vs"], "violation_end": eps["ve"],
            "payment_method": pc.take(paynames_pa, eps["method"]), "payment_plate_typo": eps["typo"],
        }

    # warm start: the cars already parked when the first day begins (overnight residents...)
    eps = P.generate_day(w, -1, _rng(seed, 19, 0), permit_state(w, -1), None, next_eid)
    keep = eps["dep"] > clock.mid_utc[0]
    carried = {key: v[keep] for key, v in eps.items()}
    carried["eid"] = next_eid + np.arange(int(keep.sum()), dtype=np.int64)
    next_eid += len(carried["eid"])
    warm_truth = episode_truth(carried)

    for k in range(clock.n_days):
        date = clock.dates[k]
        frac = k / clock.n_days
        if p.days <= 31 or date.month != last_month:
            say(f"simulating {date.isoformat()}", frac)
            last_month = date.month
        # rate changes take effect at 05:00 local
        rc_events = []
        for day, z, new in w.rate_changes:
            if day == k:
                m = w.bf["paid"] & (w.bf["zone"] == z)
                rate[m] = new
                rc_events.append((z, new))

        permits = permit_state(w, k)
        eps = P.generate_day(w, k, _rng(seed, 10, k), permits, carried, next_eid)
        next_eid += len(eps["eid"])
        # ---- ground truth: episodes -----------------------------------------------------------
        truth = {"episodes": episode_truth(eps)}
        if k == 0:
            truth["episodes"] = {key: _concat(warm_truth[key], v) for key, v in truth["episodes"].items()}
        _emit_payments(w, dl, k, eps, rate, sess_seq, _rng(seed, 16, k))
        me_seq = _emit_meter_events(w, dl, k, eps, rate, rc_events, me_seq, _rng(seed, 15, k))

        # ---- patrol ------------------------------------------------------------------------------
        shifts = make_shifts(w, k, _rng(seed, 11, k))
        _emit_shifts(w, dl, shifts)
        if carried is not None:
            active = {key: np.concatenate([carried[key], eps[key]]) for key in carried}
        else:
            active = eps
        reads, tickets = patrol_day(w, k, _rng(seed, 12, k), active, shifts, rt, 1, p.misread_rate)
        dl.emit("alpr_reads", reads)
        truth["reads"] = {"read_id": reads["read_id"], "true_plate": pc.take(plate_pa, reads["_veh"]),
                          "read_plate": reads["plate"], "is_misread": reads["_is_mis"], "episode_id": reads["_eid"],
                          **read_truth(w, k, reads, active, permits)}
        nt = len(tickets["_t"])
        tn = np.array([f"PT{ticket_seq + i + 1:08d}" for i in range(nt)], dtype=object)
        ticket_seq += nt
        tickets["ticket_number"] = tn
        ev = tickets["evidence_ref"]
        tickets["evidence_ref"] = np.where(ev == "PHOTO", np.array([f"IMG-{t}.jpg" for t in tn.tolist()], dtype=object), ev).astype(object)
        dl.emit("handheld_tickets", tickets)
        truth["tickets"] = {"ticket_number": tn, "episode_id": tickets["_eid"], "read_id": tickets["_read"],
                            "violation_type": tickets["violation_type"], "issued_at": tickets["issued_at"]}
        for name, batch in life.generate(clock, _rng(seed, 13, k), tickets).items():
            dl.emit(name, batch)

        # ---- bylaw ------------------------------------------------------------------------------
        bl = bylaw.day(k, _rng(seed, 14, k), _rng(seed, 17, k))
        for name in ("open311_requests", "calls_311"):
            for b in bl[name]:
                dl.emit(name, b)
        _emit_cases(w, dl, bl)

        # carry parked cars into tomorrow
        keep = active["dep"] > clock.mid_utc[k + 1]
        carried = {key: v[keep] for key, v in active.items()}
        sink.day(k, dl.take_day(k), truth)
        del eps, active, reads, tickets, truth

    res = sink.finish()
    res["next_eid"] = next_eid
    return res


def _finish(w: World, preset: str, seed: int, out: Path, gt: Path, ref_rows: dict, res: dict, next_eid: int, say) -> dict:
    clock = w.clock
    start, end = clock.start, clock.end
    with open(gt / "defects.csv", "w", newline="") as fh:
        fh.write("source,file,row_number,defect\n")
        for row in sorted(res["defect_log"]):
            fh.write(",".join(map(str, row)) + "\n")
    with open(gt / "duplicates.csv", "w", newline="") as fh:
        fh.write("source,file,row_number,key\n")
        for row in sorted(res["dup_log"]):
            fh.write(",".join(map(str, row)) + "\n")
    sources = {}
    for s in SIMULATED_EVENT_SOURCES:
        sources[s] = dict(res["stats"][s])
    for s, n in ref_rows.items():
        sources[s] = {"rows_written": n, "defect_rows": 0, "duplicate_rows": 0, "unique_records": n}
    tot, by_day = res["totals"], res["by_day"]
    expected = {"preset": preset, "seed": seed, "start_date": start.isoformat(), "end_date": end.isoformat(),
                "sources": dict(sorted(sources.items())), "totals": tot, "by_day": by_day}
    (gt / "expected_counts.json").write_text(json.dumps(expected, indent=2) + "\n")
    world_info = {
        "preset": preset, "seed": seed, "start_date": start.isoformat(), "end_date": end.isoformat(),
        "days": clock.n_days, "time_zone": "America/Toronto",
        "counts": {
            "zones": len(w.zone_id), "blockfaces": w.n_bf, "paid_blockfaces": int(w.bf["paid"].sum()),
            "spaces": int(w.bf["spaces"].sum()), "meters": len(w.meters["id"]), "officers": len(w.officers["id"]),
            "permit_areas": len(w.pa["id"]), "school_zones": len(w.sz["id"]), "properties": len(w.props["roll"]),
            "wards": len(ward_cells(w)),
            "vehicles": len(w.veh["plate"]), "exemptions": len(w.exemptions["id"]), "permits": len(w.permits["id"]),
            "parking_episodes": int(next_eid - 1),
        },
        "rate_changes": [{"date": clock.dates[d].isoformat(), "zone_id": w.zone_id[z], "new_rate": r}
                         for d, z, r in w.rate_changes],
    }
    (gt / "world.json").write_text(json.dumps(world_info, indent=2) + "\n")
    say("done", 1.0)
    return {"out": str(out), **world_info, "totals": tot,
            "rows": {s: v["rows_written"] for s, v in sorted(sources.items())}}


# ---------------------------------------------------------------------------------------------
def _write_reference(w: World, dl: Delivery) -> dict[str, int]:
    c = w.clock
    rows = {}
    # zones
    geoms = [_rect_polygon(*rect) for rect in w.zone_rect]
    rows["zones"] = dl.write_geojson("zones", {"zone_id": w.zone_id, "name": w.zone_name}, geoms)
    bf = w.bf
    geoms = [{"type": "LineString", "coordinates": [[round(float(a), 7), round(float(b), 7)], [round(float(cc), 7), round(float(d), 7)]]}
             for a, b, cc, d in zip(bf["lon0"], bf["lat0"], bf["lon1"], bf["lat1"])]
    tl = np.where(bf["time_limit"] > 0, bf["time_limit"].astype(float), np.nan)
    rows["blockfaces"] = dl.write_geojson("blockfaces", {
        "blockface_id": bf["id"], "zone_id": w.zone_id[bf["zone"]], "street": bf["street"], "side": bf["side"],
        "spaces": bf["spaces"], "paid": bf["paid"], "time_limit_minutes": tl,
        "permit_area_id": np.where(bf["permit_area"] >= 0, w.pa["id"][np.maximum(bf["permit_area"], 0)] if len(w.pa["id"]) else "", ""),
        "school_zone_id": np.where(bf["school"] >= 0, w.sz["id"][np.maximum(bf["school"], 0)] if len(w.sz["id"]) else "", ""),
        "rush_hour_route": bf["rush"], "snow_route": bf["snow"], "hydrant_at_m": bf["hyd_at"],
        "accessible_from_m": bf["acc_from"], "accessible_to_m": bf["acc_to"],
        "no_stopping_from_m": bf["ns_from"], "no_stopping_to_m": bf["ns_to"],
        "no_parking_from_m": bf["np_from"], "no_parking_to_m": bf["np_to"],
    }, geoms)
    for name, d, idf, namef in (("permit_areas", w.pa, "permit_area_id", "name"), ("school_zones", w.sz, "school_zone_id", "school_name")):
        geoms = [_rect_polygon(*rect) for rect in d["rect"]]
        rows[name] = dl.write_geojson(name, {idf: d["id"], namef: d["name"]}, geoms)
    m = w.meters
    mbf = m["bf"]
    per = np.maximum(1, bf["spaces"][mbf] // np.maximum(bf["meter_count"][mbf], 1))
    rows["meters"] = dl.write_reference_csv("meters", {
        "meter_id": m["id"], "blockface_id": bf["id"][mbf], "zone_id": w.zone_id[bf["zone"][mbf]], "spaces": per,
        "rate_per_hour": bf["rate"][mbf], "max_minutes": bf["max_minutes"][mbf], "installed_on": m["installed_on"],
        "lat": m["lat"], "lon": m["lon"]})
    e = w.exemptions
    rows["exemptions"] = dl.write_reference_csv("exemptions", {
        "exemption_id": e["id"], "plate": w.veh["plate"][e["veh"]], "province": w.veh["prov"][e["veh"]],
        "reason": e["reason"], "zone_id": np.where(e["zone"] >= 0, w.zone_id[np.maximum(e["zone"], 0)], ""),
        "valid_from": e["valid_from"], "valid_to": e["valid_to"]})
    pr = w.props
    rows["assessment_roll"] = dl.write_reference_csv("assessment_roll", {
        "roll_number": pr["roll"], "address": pr["address"], "lat": pr["lat"], "lon": pr["lon"],
        "property_class": pr["class"], "owner_name": pr["owner"], "assessed_value": pr["value"], "ward": pr["ward"]})
    o = w.officers
    rows["officers"] = dl.write_reference_csv("officers", {
        "officer_id": o["id"], "badge_number": o["badge"], "unit": o["unit"], "home_zone_id": o["home"],
        "specialty": o["spec"], "active": o["active"]})
    # wards: the cells the assessment roll's wards come from (no random draws)
    cells = ward_cells(w)
    names = np.array([f"Ward {n}" for n, *_ in cells], dtype=object)
    geoms = [_rect_polygon(*rect) for _, *rect in cells]
    rows["wards"] = dl.write_geojson("wards", {"ward": names, "name": names}, geoms)
    return rows


def _emit_permits(w: World, dl: Delivery) -> None:
    c = w.clock
    pm = w.permits
    n = len(pm["id"])
    day = c.local_day_index(pm["issued_at"])
    day = np.where(day < 0, 0, day)  # the register's backlog arrives with the first delivery
    dl.emit("permits", {
        "permit_id": pm["id"], "permit_type": pm["type"], "plate": w.veh["plate"][pm["veh"]],
        "province": w.veh["prov"][pm["veh"]],
        "permit_area_id": np.where(pm["area"] >= 0, w.pa["id"][np.maximum(pm["area"], 0)] if len(w.pa["id"]) else "", "CITYWIDE").astype(object),
        "valid_from": pm["valid_from"], "valid_to": pm["valid_to"], "status": pm["status"],
        "issued_at": pm["issued_at"], "fee": pm["fee"], "_t": pm["issued_at"],
    }, day=day)



def _emit_payments(w: World, dl: Delivery, k: int, eps: dict, rate: np.ndarray, seq: dict, rng) -> None:
    c = w.clock
    ymd = c.dates[k].strftime("%Y%m%d")
    for vendor, code in (("a", P.PAY_A), ("b", P.PAY_B)):
        m = np.flatnonzero(eps["method"] == code)
        e = np.flatnonzero((eps["method"] == code) & eps["ext"])
        starts = np.concatenate([eps["pay_start"][m], eps["ext_start"][e]])
        lens = np.concatenate([eps["first_len"][m], eps["ext_len"][e]])
        idx = np.concatenate([m, e])
        o = np.lexsort((eps["eid"][idx], starts))
        starts, lens, idx = starts[o], lens[o], idx[o]
        n = len(idx)
        plate = w.veh["plate"][eps["veh"][idx]].copy()
        typo = eps["typo"][idx]
        if typo.any():
            plate[typo] = np.array(misread(plate[typo].tolist(), rng), dtype=object)
        minutes = lens // MINUTE
        r = rate[eps["bf"][idx]]
        zone = w.zone_id[w.bf["zone"][eps["bf"][idx]]]
        if vendor == "a":
            ids = np.array([f"VA-{ymd}-{seq['a'] + i + 1:06d}" for i in range(n)], dtype=object)
            seq["a"] += n
            dl.emit("pbp_vendor_a_sessions", {
                "session_id": ids, "plate_number": plate, "province": w.veh["prov"][eps["veh"][idx]],
                "zone_code": zone, "start_time_utc": starts, "end_time_utc": starts + lens,
                "amount_cents": np.rint(r * 100 * minutes / 60).astype(np.int64),
                "payment_method": np.array(["app", "web", "sms"], dtype=object)[rng.choice(3, n, p=[0.72, 0.18, 0.1])],
                "_t": starts})
        else:
            ids = np.array([f"TB{ymd}{seq['b'] + i + 1:07d}" for i in range(n)], dtype=object)
            seq["b"] += n
            dl.emit("pbp_vendor_b_sessions", {
                "transactionId": ids, "licensePlate": plate, "jurisdiction": w.veh["prov"][eps["veh"][idx]],
                "locationNumber": zone, "startDateTime": starts, "durationMinutes": minutes.astype(np.int64),
                "totalAmount": np.round(r * minutes / 60, 2),
                "channel": np.array(["phone", "ivr", "kiosk"], dtype=object)[rng.choice(3, n, p=[0.6, 0.15, 0.25])],
                "_t": starts})


def _emit_meter_events(w, dl, k, eps, rate, rc_events, seq, rng) -> int:
    c = w.clock
    bf = w.bf
    m = np.flatnonzero((eps["method"] == P.PAY_COIN) | (eps["method"] == P.PAY_CARD))
    b = eps["bf"][m]
    meter = bf["meter_first"][b] + (eps["eid"][m] % np.maximum(bf["meter_count"][b], 1))
    minutes = eps["first_len"][m] // MINUTE
    t = eps["pay_start"][m]
    etype = np.where(eps["method"][m] == P.PAY_COIN, "payment_coin", "payment_card").astype(object)
    plate = w.veh["plate"][eps["veh"][m]]  # pay-by-plate terminals: the driver keys in the plate
    amount = np.round(rate[b] * minutes / 60, 2)
    detail = minutes.astype(str).astype(object)
    # faults and repairs
    nm = len(w.meters["id"])
    faulty = np.flatnonzero(rng.random(nm) < 0.004)
    f_t = c.local_to_utc(np.full(len(faulty), k), rng.integers(6 * HOUR, 22 * HOUR, len(faulty)))
    codes = np.array(FAULT_CODES, dtype=object)[rng.integers(0, len(FAULT_CODES), len(faulty))]
    r_t = f_t + rng.integers(2 * HOUR, 48 * HOUR, len(faulty))
    # rate changes
    rc_m, rc_amt = [], []
    for z, new in rc_events:
        mm = np.flatnonzero(bf["zone"][w.meters["bf"]] == z)
        rc_m.append(mm)
        rc_amt.append(np.full(len(mm), new))
    rc_m = np.concatenate(rc_m) if rc_m else np.array([], dtype=np.int64)
    rc_amt = np.concatenate(rc_amt) if rc_amt else np.array([])
    rc_t = np.full(len(rc_m), int(c.local_to_utc(np.array([k]), np.array([5 * HOUR]))[0]))
    meters = np.concatenate([meter, faulty, faulty, rc_m]).astype(np.int64)
    times = np.concatenate([t, f_t, r_t, rc_t]).astype(np.int64)
    types = np.concatenate([etype, np.full(len(faulty), "fault", dtype=object), np.full(len(faulty), "repair", dtype=object),
                            np.full(len(rc_m), "rate_change", dtype=object)])
    amounts = np.concatenate([amount, np.full(2 * len(faulty), np.nan), rc_amt])
    details = np.concatenate([detail, codes, codes, np.full(len(rc_m), "", dtype=object)])
    plates = np.concatenate([plate, np.full(2 * len(faulty) + len(rc_m), "", dtype=object)]).astype(object)
    o = np.lexsort((meters, times))
    meters, times, types, amounts, details, plates = meters[o], times[o], types[o], amounts[o], details[o], plates[o]
    n = len(meters)
    ids = np.array([f"ME-{seq + i + 1:09d}" for i in range(n)], dtype=object)
    dl.emit("meter_events", {"event_id": ids, "meter_id": w.meters["id"][meters], "event_type": types,
                             "occurred_at": times, "amount": amounts, "detail": details, "plate": plates, "_t": times})
    return seq + n


def _emit_shifts(w, dl, sh) -> None:
    zone = np.where(sh["zone"] >= 0, w.zone_id[np.maximum(sh["zone"], 0)], "").astype(object)
    dl.emit("shifts", {"shift_id": sh["shift_id"], "officer_id": w.officers["id"][sh["officer"]],
                       "shift_start": sh["start"], "shift_end": sh["end"], "zone_id": zone,
                       "mode": MODE_NAMES[sh["mode"]], "unit_id": sh["unit"].astype(object), "_t": sh["start"]})


def _emit_cases(w: World, dl: Delivery, bl: dict) -> None:
    c = w.clock
    start = np.datetime64(c.start)
    if bl["bylaw_cases"]:
        recs = [r for r, _, _ in bl["bylaw_cases"]]
        days = np.array([d for _, d, _ in bl["bylaw_cases"]], dtype=np.int64)
        upd = np.array([u for _, _, u in bl["bylaw_cases"]], dtype=bool)
        b = {f: np.array([r[f] for r in recs], dtype=object) for f in recs[0]}
        b["opened_at"] = b["opened_at"].astype(np.int64)
        b["closed_at"] = b["closed_at"].astype(np.int64)
        b["_t"] = b["opened_at"]
        b["_update"] = upd
        dl.emit("bylaw_cases", b, day=days)
    if bl["inspections"]:
        recs = bl["inspections"]
        b = {f: np.array([r[f] for r in recs], dtype=object) for f in recs[0]}
        b["inspected_at"] = b["inspected_at"].astype(np.int64)
        b["_t"] = b["inspected_at"]
        dl.emit("inspections", b)
    if bl["remediation_works"]:
        recs = [r for r, _, _ in bl["remediation_works"]]
        b = {f: np.array([r[f] for r in recs], dtype=object) for f in recs[0]}
        for f in ("ordered_at", "completed_at", "invoiced_at", "recovered_at"):
            b[f] = b[f].astype(np.int64)
        b["cost"] = b["cost"].astype(np.float64)
        b["recovered_amount"] = np.array([np.nan if v is None else v for v in b["recovered_amount"]], dtype=np.float64)
        roll_day = np.array([-1 if v is None else v for v in b["added_to_tax_roll_on"]], dtype=np.int64)
        b["added_to_tax_roll_on"] = np.where(roll_day >= 0, start + roll_day.astype("timedelta64[D]"), np.datetime64("NaT"))
        b["_t"] = b["ordered_at"]
        b["_update"] = np.array([u for _, _, u in bl["remediation_works"]], dtype=bool)
        dl.emit("remediation_works", b, day=np.array([d for _, d, _ in bl["remediation_works"]], dtype=np.int64))
    if bl["bylaw_fine_payments"]:
        recs = bl["bylaw_fine_payments"]
        b = {f: np.array([r[f] for r in recs], dtype=object) for f in recs[0]}
        b["paid_at"] = b["paid_at"].astype(np.int64)
        b["amount"] = b["amount"].astype(np.float64)
        b["_t"] = b["paid_at"]
        dl.emit("bylaw_fine_payments", b)
    if bl["notices"]:
        recs = bl["notices"]
        b = {f: np.array([r[f] for r in recs], dtype=object) for f in recs[0]}
        b["issued_at"] = b["issued_at"].astype(np.int64)
        b["served_at"] = b["served_at"].astype(np.int64)
        dlv = np.array([-1 if v is None else v for v in b["compliance_deadline"]], dtype=np.int64)
        b["compliance_deadline"] = np.where(dlv >= 0, start + dlv.astype("timedelta64[D]"), np.datetime64("NaT"))
        b["fine_amount"] = np.array([np.nan if v is None else v for v in b["fine_amount"]], dtype=np.float64)
        b["_t"] = b["issued_at"]
        dl.emit("notices", b)
