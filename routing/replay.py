"""Proof by simulation: replay simulated days with three ways of driving each ALPR shift.

For every ALPR shift of the replayed days (the simulator's ``landing/shifts``):

- ``fixed``: the serpentine sweep the simulator's patrols drive today
  (``simulator.patrol.routes``: the shift's zone and the next ones, as ``make_visits``
  does), from its first blockface, in order, round and round;
- ``nearest``: the nearest-neighbour baseline of ``routing.planner``;
- ``pyvrp``: the prize-collecting plan of ``routing.planner``.

All three start and end at the same depot (the sweep's first blockface), patrol the same
area, in the same shift window (the simulator's: start + 15 min to end - 15 min, no meal
break), at the same speed over the same network, and must be back at the depot by the
end. Between two stops a car drives the shortest chain of blockfaces, and a blockface
driven on the way counts as passed too (an ALPR camera reads it).

Violations found: distinct parking episodes of the simulator's ground truth
(``ground_truth/parking_episodes.parquet``) on a passed blockface whose violation
interval holds the middle of the pass; an episode counts once per strategy per day (it
was ticketed). Coverage: distinct area blockfaces passed / area blockfaces.

The expected yield is learned only from days before the first replayed day (ALPR reads and
their ground truth standing in for fct_alpr_hits / fct_occupancy_hourly, and the handheld
tickets for fines): no peeking.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from .expected_yield import YieldModel, learn_expected_yield
from .network import StreetNetwork, network_from_data_dir
from .planner import Officer, plan_shift

CITY_TZ = ZoneInfo("America/Toronto")
STRATEGIES = ("fixed", "nearest", "pyvrp")


@dataclass
class Simulation:
    """What the replay needs of a simulated city: its folder, world.json, the network,
    the simulator's world (for the sweeps) and the ground-truth episodes."""

    data_dir: Path
    info: dict
    network: StreetNetwork
    sweeps: dict  # zone_id -> blockface ids in sweep order
    zone_order: list
    episodes: pd.DataFrame


def load_simulation(data_dir, network: StreetNetwork | None = None) -> Simulation:
    """Load a simulated city written by ``python -m simulator --out DATA_DIR``."""
    from simulator.patrol import routes
    from simulator.presets import PRESETS
    from simulator.timeutil import Clock
    from simulator.world import build_world

    d = Path(data_dir)
    wpath = d / "ground_truth" / "world.json"
    if not wpath.exists():
        raise ValueError(f"{wpath} not found: not a simulated data directory")
    info = json.loads(wpath.read_text())
    net = network or network_from_data_dir(d)
    clock = Clock(dt.date.fromisoformat(info["start_date"]), dt.date.fromisoformat(info["end_date"]))
    w = build_world(PRESETS[info["preset"]], int(info["seed"]), clock)
    rt = routes(w)["alpr"]
    sweeps = {w.zone_id[z]: w.bf["id"][idx].tolist() for z, idx in rt.items()}
    eps = pd.read_parquet(d / "ground_truth" / "parking_episodes.parquet",
                          columns=["episode_id", "blockface_id", "in_violation", "violation_type",
                                   "violation_start", "violation_end"])
    eps = eps[eps["in_violation"]].reset_index(drop=True)
    return Simulation(d, info, net, sweeps, list(w.zone_id), eps)


def _read_jsonl(path: Path, fields: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a defect the contract quarantines
            rows.append({f: rec.get(f) for f in fields})
    return pd.DataFrame(rows, columns=list(fields))


def _days_of(folder: Path, stem: str, since: dt.date | None, before: dt.date) -> list[Path]:
    out = []
    for f in sorted(folder.glob(f"{stem}_*")):
        day = dt.date.fromisoformat(f.name[len(stem) + 1:len(stem) + 11])
        if day < before and (since is None or day >= since):
            out.append(f)
    return out


def history_from_simulation(sim: Simulation, before: dt.date, since: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """passes, violations and tickets (the inputs of ``learn_expected_yield``) from the
    days ``since <= day < before`` of a simulated city.

    passes: one per (blockface, hour) with ALPR reads, like fct_occupancy_hourly.
    violations: reads of cars in violation (reads_truth, the rules' verdict measured at
    >= 99% precision/recall against it), like fct_alpr_hits, with the set fine and the
    read plate as the vehicle key. The blockface of a read is its car's (the mart snaps the
    read's position to the nearest blockface: the same at 1.5 m GPS noise).
    tickets: handheld tickets (blockface_id, issued_at, fine_amount), like fct_tickets.
    """
    from simulator.names import VIOLATIONS

    d = sim.data_dir
    files = _days_of(d / "landing" / "alpr_reads", "alpr_reads", since, before)
    reads = pd.concat([_read_jsonl(f, ("read_id", "plate", "captured_at")) for f in files], ignore_index=True) \
        if files else pd.DataFrame(columns=["read_id", "plate", "captured_at"])
    reads = reads.dropna().drop_duplicates("read_id")
    reads["timestamp"] = pd.to_datetime(reads["captured_at"], utc=True, errors="coerce", format="ISO8601")
    reads = reads.dropna(subset=["timestamp"])
    truth = pd.read_parquet(d / "ground_truth" / "reads_truth.parquet",
                            columns=["read_id", "episode_id", "in_violation", "violation_type"])
    reads = reads.merge(truth, on="read_id", how="inner")
    ep_bf = pd.read_parquet(d / "ground_truth" / "parking_episodes.parquet", columns=["episode_id", "blockface_id"])
    reads = reads.merge(ep_bf, on="episode_id", how="inner")
    passes = reads.assign(timestamp=reads["timestamp"].dt.floor("h"))[["blockface_id", "timestamp"]].drop_duplicates()
    hits = reads[reads["in_violation"].fillna(False).astype(bool)].copy()
    hits["fine"] = hits["violation_type"].map(lambda v: VIOLATIONS[v][2] if v in VIOLATIONS else np.nan)
    violations = hits.rename(columns={"plate": "vehicle"})[["blockface_id", "timestamp", "fine", "vehicle"]]
    tfiles = _days_of(d / "landing" / "handheld_tickets", "handheld_tickets", since, before)
    tk = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in tfiles], ignore_index=True) \
        if tfiles else pd.DataFrame(columns=["blockface_id", "issued_at", "fine_amount"])
    tk = tk[tk["blockface_id"] != ""]
    tickets = pd.DataFrame({"blockface_id": tk["blockface_id"],
                            "timestamp": pd.to_datetime(tk["issued_at"], utc=True, errors="coerce", format="ISO8601"),
                            "fine": pd.to_numeric(tk["fine_amount"], errors="coerce")}).dropna()
    return {"passes": passes.reset_index(drop=True), "violations": violations.reset_index(drop=True),
            "tickets": tickets.reset_index(drop=True)}


def learn_from_simulation(sim: Simulation, before: dt.date, since: dt.date | None = None) -> YieldModel:
    """The expected yield learned from the simulated days before ``before``."""
    h = history_from_simulation(sim, before, since)
    return learn_expected_yield(h["passes"], h["violations"], sim.network.blockfaces, h["tickets"])


# ---- driving ---------------------------------------------------------------------------------
def sweep_stops(net: StreetNetwork, sweep: list[str], depot: str, horizon_s: float) -> list[tuple[str, float]]:
    """The fixed sweep driven from ``depot`` (a blockface of the sweep): (blockface, start
    seconds) of each blockface in sweep order, round and round, while the car can still be
    back at the depot by ``horizon_s``."""
    ids = list(dict.fromkeys(sweep + [depot]))
    T = net.travel_times(ids, ids)
    trav = net.blockfaces.set_index("blockface_id").loc[ids, "traverse_s"].to_numpy()
    pos = {b: i for i, b in enumerate(ids)}
    seq = [pos[b] for b in sweep]
    d = pos[depot]
    i = seq.index(d)
    out, t, cur = [], 0.0, None
    while True:
        nxt = seq[i % len(seq)]
        arrive = 0.0 if cur is None else t + T[cur, nxt]
        back = 0.0 if nxt == d else T[nxt, d] + trav[d]
        if arrive + trav[nxt] + back > horizon_s:
            break
        out.append((ids[nxt], arrive))
        t, cur = arrive + trav[nxt], nxt
        i += 1
    return out


def driven_passes(net: StreetNetwork, stops: list[tuple[str, float]], depot: str, horizon_s: float) -> pd.DataFrame:
    """Every blockface a car drives: the stops and the blockfaces on the shortest chains
    between them (and back to the depot), with the middle of each pass in seconds."""
    trav = net.blockfaces.set_index("blockface_id")["traverse_s"]
    rows = []
    prev, t_prev_end = depot, 0.0
    for b, t in stops:
        if prev != b and prev is not None:
            chain = net.path(prev, b)[:-1]
            tt = t_prev_end
            for c in chain:
                tt_end = tt + float(trav[c])
                if tt_end <= t:
                    rows.append((c, (tt + tt_end) / 2, False))
                tt = tt_end
        rows.append((b, t + float(trav[b]) / 2, True))
        prev, t_prev_end = b, t + float(trav[b])
    if prev != depot:
        tt = t_prev_end
        for c in net.path(prev, depot):
            tt_end = tt + float(trav[c])
            rows.append((c, (tt + tt_end) / 2, False))
            tt = tt_end
    return pd.DataFrame(rows, columns=["blockface_id", "t_mid", "stop"])


def _count_found(passes: pd.DataFrame, start_utc: pd.Timestamp, by_bf: dict, found: set) -> int:
    n = 0
    for b, t in zip(passes["blockface_id"], passes["t_mid"]):
        arr = by_bf.get(b)
        if arr is None:
            continue
        eid, vs, ve = arr
        ts = start_utc.value // 10**6 + int(t * 1000)
        hit = eid[(vs <= ts) & (ts < ve)]
        for e in hit.tolist():
            if e not in found:
                found.add(e)
                n += 1
    return n


def replay(data_dir, *, replay_days: int = 2, learn_days: int | None = None, strategies=STRATEGIES,
           time_limit_s: float | None = None, sim: Simulation | None = None, max_shifts: int | None = None,
           area_zones: int = 4, progress=lambda msg: None) -> dict:
    """Replay the last ``replay_days`` simulated days (ALPR shifts), learning the yield
    from the ``learn_days`` days before them (default: all of them).

    area_zones: zones per shift (the simulator's ALPR car covers its zone and the next
    three: 4). Returns {"shifts": DataFrame (one row per shift x strategy), "summary":
    per strategy dict, "gain_vs_fixed": per-hour gain of each strategy over the fixed
    sweep, "learned_from": [first, last day], "replayed": [days]}.
    """
    sim = sim or load_simulation(data_dir)
    end = dt.date.fromisoformat(sim.info["end_date"])
    start = dt.date.fromisoformat(sim.info["start_date"])
    first = end - dt.timedelta(days=replay_days - 1)
    if first <= start:
        raise ValueError(f"replaying {replay_days} days leaves no earlier day to learn from")
    since = None if learn_days is None else max(start, first - dt.timedelta(days=learn_days))
    model = learn_from_simulation(sim, first, since)
    net = sim.network
    eps = sim.episodes
    epoch = pd.Timestamp(0, tz="UTC")
    vs_ms = ((eps["violation_start"] - epoch) // pd.Timedelta(milliseconds=1)).to_numpy(dtype=np.int64)
    ve_ms = ((eps["violation_end"] - epoch) // pd.Timedelta(milliseconds=1)).to_numpy(dtype=np.int64)
    rows = []
    zone_order = sim.zone_order
    for k in range((end - first).days + 1):
        day = first + dt.timedelta(days=k)
        sf = sim.data_dir / "landing" / "shifts" / f"shifts_{day.isoformat()}.csv"
        if not sf.exists():
            continue
        sh = pd.read_csv(sf, dtype=str, keep_default_na=False)
        # defect rows are corrupted copies of real rows under a fresh key (<key>-X<n>)
        sh = sh[(sh["mode"] == "alpr") & sh["zone_id"].isin(zone_order) & ~sh["shift_id"].str.contains(r"-X\d+$")]
        for c in ("shift_start", "shift_end"):
            sh = sh[pd.to_datetime(sh[c], errors="coerce", format="ISO8601", utc=True).notna()]
        sh = sh.sort_values("shift_start")
        if max_shifts:
            sh = sh.head(max_shifts)
        # ground truth of the day (+ margin) per blockface
        lo = pd.Timestamp(dt.datetime.combine(day, dt.time(0), CITY_TZ)).tz_convert("UTC").value // 10**6
        hi = lo + 36 * 3600 * 1000
        m = (ve_ms > lo) & (vs_ms < hi)
        sub = eps[m]
        by_bf = {}
        for b, g in pd.DataFrame({"b": sub["blockface_id"].to_numpy(), "e": sub["episode_id"].to_numpy(),
                                  "s": vs_ms[m], "t": ve_ms[m]}).groupby("b"):
            by_bf[b] = (g["e"].to_numpy(), g["s"].to_numpy(), g["t"].to_numpy())
        found = {s: set() for s in strategies}
        for r in sh.itertuples(index=False):
            s0 = pd.Timestamp(r.shift_start).tz_convert(CITY_TZ) + pd.Timedelta(minutes=15)
            s1 = pd.Timestamp(r.shift_end).tz_convert(CITY_TZ) - pd.Timedelta(minutes=15)
            horizon = (s1 - s0).total_seconds()
            if horizon <= 0:
                continue
            z = zone_order.index(r.zone_id)
            zones = [zone_order[(z + j) % len(zone_order)] for j in range(max(1, min(area_zones, len(zone_order))))]
            sweep = [b for zz in zones for b in sim.sweeps.get(zz, [])]
            if not sweep:
                continue
            area = net.ids_in_zones(zones)
            depot = sweep[0]
            s0_utc = s0.tz_convert("UTC")
            start_ms = s0_utc.value // 10**6
            present = set()
            for b in area:
                arr = by_bf.get(b)
                if arr is not None:
                    eid, vs, ve = arr
                    present.update(eid[(vs < start_ms + horizon * 1000) & (ve > start_ms)].tolist())
            progress(f"{day} {r.shift_id} ({r.zone_id}, {horizon / 3600:.1f} h)")
            for strat in strategies:
                if strat == "fixed":
                    stops = sweep_stops(net, sweep, depot, horizon)
                    expected, solve_s = float("nan"), 0.0
                else:
                    plan = plan_shift(net, model, s0.to_pydatetime(), horizon / 3600, officers=[Officer(r.officer_id)],
                                      area=area, depot=depot, method=strat, time_limit_s=time_limit_s)
                    st = plan.stops
                    stops = list(zip(st["blockface_id"], [(a - s0).total_seconds() for a in st["arrival"]]))
                    expected, solve_s = plan.totals["expected_violations"], plan.totals["solve_seconds"]
                passes = driven_passes(net, stops, depot, horizon)
                n_found = _count_found(passes, s0_utc, by_bf, found[strat])
                covered = len(set(passes["blockface_id"]) & set(area))
                rows.append({"day": day.isoformat(), "shift_id": r.shift_id, "zone_id": r.zone_id, "strategy": strat,
                             "patrol_hours": horizon / 3600, "stops": len(stops), "passes": len(passes),
                             "violations_found": n_found, "violations_present": len(present),
                             "coverage": covered / len(area), "expected_violations": expected,
                             "solve_seconds": solve_s})
    df = pd.DataFrame(rows)
    summary = {}
    for strat in strategies:
        s = df[df["strategy"] == strat]
        hours = float(s["patrol_hours"].sum())
        summary[strat] = {
            "shifts": int(len(s)), "patrol_hours": round(hours, 2),
            "violations_found": int(s["violations_found"].sum()),
            "violations_per_patrol_hour": round(float(s["violations_found"].sum()) / hours, 3) if hours else 0.0,
            "mean_coverage": round(float(s["coverage"].mean()), 3) if len(s) else 0.0,
            "share_of_present_found": round(float(s["violations_found"].sum()) / max(1, int(s["violations_present"].sum())), 3),
            "expected_violations": round(float(s["expected_violations"].sum()), 2),
            "solve_seconds": round(float(s["solve_seconds"].sum()), 2),
        }
    base = summary.get("fixed", {}).get("violations_per_patrol_hour")
    gain = {s: (round(v["violations_per_patrol_hour"] / base - 1, 3) if base else None)
            for s, v in summary.items() if s != "fixed"}
    return {"shifts": df, "summary": summary, "gain_vs_fixed": gain,
            "learned_from": [(since or start).isoformat(), (first - dt.timedelta(days=1)).isoformat()],
            "replayed": [(first + dt.timedelta(days=k)).isoformat() for k in range((end - first).days + 1)]}


def main(argv=None) -> int:
    """``python -m routing.replay DATA_DIR [--days N] [--learn-days N] [--time-limit S]``:
    prints the replay's summary as JSON."""
    import argparse

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("data_dir")
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--learn-days", type=int, default=None)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--max-shifts", type=int, default=None, help="ALPR shifts per day (first ones)")
    ap.add_argument("--area-zones", type=int, default=4)
    a = ap.parse_args(argv)
    res = replay(a.data_dir, replay_days=a.days, learn_days=a.learn_days, time_limit_s=a.time_limit,
                 max_shifts=a.max_shifts, area_zones=a.area_zones,
                 progress=lambda m: print(m, file=sys.stderr, flush=True))
    out = {k: v for k, v in res.items() if k != "shifts"}
    out["per_shift"] = res["shifts"].to_dict(orient="records")
    print(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
