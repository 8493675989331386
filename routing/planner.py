"""Route plans for officer shifts: the most expected violations (or revenue) per shift.

The problem: officers leave a depot at the start of a shift, drive or walk blockfaces, and
are back at the depot by its end. Driving a blockface finds the violations standing on it;
violators accumulate again after a pass, so a blockface's value at time t is

    value = expected violations per pass (weekday x hour of t, from the YieldModel)
            x (1 - exp(-(t - last pass) / dwell))

(the share of today's violators not already found; dwell: ``CIVIC_ROUTING_DWELL_MIN``, else
the yield model's estimate; a blockface not yet passed in the shift counts fully), mixed
with revenue by the supervisor's ``objective`` weight (revenue counted in violations of the
average fine), times any boost (snow routes, events).

A whole shift is planned in rounds of ``CIVIC_ROUTING_PERIOD_MIN`` minutes (rolling
horizon): each round is one prize-collecting vehicle routing problem over the area's
blockfaces (PyVRP: optional clients whose prize is their value in that round, every
officer a vehicle starting where it stands at the time it is free, the round reaching the
end of the shift ending at the depot; earlier rounds end anywhere the depot stays within
reach of). Between rounds the values are recomputed from the visits planned so far, so hot
blockfaces are revisited once violators have built up again. A round before the last prices
its time (``round_time_price``): what it leaves unused, the next round spends.

Temporary changes (``Changes``): closures (blockfaces removed from the network), boosts
(snow routes on a snow day, events), required visits (events), and school zones due today
(by default every school zone on Tuesdays and Thursdays, ``CIVIC_ROUTING_SCHOOL_DAYS``),
which become required clients inside their school windows (``CIVIC_ROUTING_SCHOOL_WINDOWS``).

Several officers in one area never share a blockface: the area is split into compact
territories of about equal expected value (``split_territories``), one per officer. Officers
with territories of their own share nothing (blockfaces, required visits, values), so each
officer's shift is planned as its own problem, side by side in forked workers
(``CIVIC_ROUTING_WORKERS``, default the CPU count). Officers sharing an area
(``exclusive=False``) are one multi-vehicle problem per round.

``plan_shift(..., method="nearest")`` is the baseline: each officer in turn drives to the
nearest blockface whose current value is in the upper half of the area's.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import math
import os
import time
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from .expected_yield import YieldModel
from .network import StreetNetwork, env_float

PRIZE_SCALE = 100_000  # prize units per expected violation; the solver pays 1 unit per second driven
BIG = 1 << 40  # "no way": between one officer's start or end and another's
DEFAULT_TIME_LIMIT_S = 8.0
DEFAULT_PERIOD_MIN = 30.0
DEFAULT_DWELL_MIN = 60.0
DEFAULT_SNOW_BOOST = 3.0
DEFAULT_SCHOOL_DAYS = "1,3"  # Tuesday, Thursday (0 = Monday)
DEFAULT_SCHOOL_WINDOWS = "08:00-09:00,15:00-16:00"
DEFAULT_MAX_CLIENTS = 800
DEFAULT_CANDIDATE_FACTOR = 3.0
DEFAULT_NEIGHBOURS = 50
DEFAULT_LAHC_HISTORY = 5
DEFAULT_TIME_PRICE = 0.4


@dataclass
class Changes:
    """Temporary changes to honour in a plan.

    closures: blockface ids closed (never visited, not driven through).
    boosts: blockface id -> multiplier of its value (events, a snow route being cleared).
    snow_day: a declared snow day: every ``snow_route`` blockface's value is multiplied by
      ``CIVIC_ROUTING_SNOW_BOOST`` (default 3; parked cars there are in violation).
    required: blockface id -> (start, end) datetimes of the window it must be visited in,
      or None for "at some time in the shift" (events).
    school_schedule: school_zone_id -> weekdays (0 = Monday) it is due; zones not listed
      follow ``CIVIC_ROUTING_SCHOOL_DAYS`` (default "1,3"); an empty tuple: never due.
    """

    closures: set = field(default_factory=set)
    boosts: dict = field(default_factory=dict)
    snow_day: bool = False
    required: dict = field(default_factory=dict)
    school_schedule: dict = field(default_factory=dict)


@dataclass
class Officer:
    """An officer of the shift; ``depot``: the blockface where the shift starts and ends
    (the car parked at its end), default the plan's depot."""

    officer_id: str
    depot: str | None = None


@dataclass
class RoutePlan:
    """A planned shift.

    stops: one row per stop: officer_id, seq, blockface_id, arrival, departure (local,
      tz-aware), expected_violations, expected_revenue, expected_violations_lo/hi (the
      yield model's interval at that time), value, required, reason, lat, lon (midpoint),
      lon0, lat0, lon1, lat1 (the blockface in driving direction).
    officers: one row per officer: officer_id, depot, start, back_at_depot, stops,
      expected_violations, expected_revenue, driving_s.
    totals: the plan's sums and how it was made (method, solve_seconds, feasible, warnings).
    """

    stops: pd.DataFrame
    officers: pd.DataFrame
    totals: dict
    start: dt.datetime
    end: dt.datetime


# --------------------------------------------------------------------------------------------
def school_windows() -> list[tuple[int, int]]:
    """School windows as (start, end) seconds after local midnight, from
    ``CIVIC_ROUTING_SCHOOL_WINDOWS`` (default "08:00-09:00,15:00-16:00")."""
    raw = os.environ.get("CIVIC_ROUTING_SCHOOL_WINDOWS", "").strip() or DEFAULT_SCHOOL_WINDOWS
    out = []
    for part in raw.split(","):
        try:
            a, b = part.strip().split("-")
            ha, ma = (int(x) for x in a.split(":"))
            hb, mb = (int(x) for x in b.split(":"))
        except ValueError as exc:
            raise ValueError(f"CIVIC_ROUTING_SCHOOL_WINDOWS: bad window {part!r} (want HH:MM-HH:MM)") from exc
        out.append((ha * 3600 + ma * 60, hb * 3600 + mb * 60))
    return out


def school_zones_due(day: dt.date, school_zone_ids, schedule: dict | None = None) -> set[str]:
    """The school zones due for enforcement on ``day``: those whose schedule lists its
    weekday (``schedule`` per zone, else ``CIVIC_ROUTING_SCHOOL_DAYS``, default Tue/Thu)."""
    raw = os.environ.get("CIVIC_ROUTING_SCHOOL_DAYS", "").strip() or DEFAULT_SCHOOL_DAYS
    try:
        default = tuple(int(x) for x in raw.split(",") if x.strip() != "")
    except ValueError as exc:
        raise ValueError(f"CIVIC_ROUTING_SCHOOL_DAYS={raw!r}: want weekday numbers, 0 = Monday") from exc
    schedule = schedule or {}
    return {z for z in school_zone_ids if z and day.weekday() in tuple(schedule.get(z, default))}


def _objective_weight(objective) -> float:
    if objective == "violations":
        return 0.0
    if objective == "revenue":
        return 1.0
    try:
        w = float(objective)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"objective must be 'violations', 'revenue' or a revenue weight in [0, 1], got {objective!r}") from exc
    if not 0.0 <= w <= 1.0:
        raise ValueError(f"revenue weight must be in [0, 1], got {w}")
    return w


class _Valuer:
    """Value of driving a blockface at a given time, given the passes planned so far."""

    def __init__(self, model: YieldModel, ids: list[str], start: dt.datetime, weight: float,
                 boost: np.ndarray, dwell_s: float):
        self.model, self.ids, self.start, self.weight, self.boost, self.dwell = model, ids, start, weight, boost, dwell_s
        self.last = np.full(len(ids), -np.inf)
        self._cache: dict = {}
        self._intervals: dict = {}

    def _slot(self, t: float) -> tuple[int, int]:
        local = self.start + dt.timedelta(seconds=float(t))
        return local.weekday(), local.hour

    def per_pass(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        key = self._slot(t)
        if key not in self._cache:
            self._cache[key] = (self.model.rate(self.ids, *key), self.model.revenue(self.ids, *key))
        return self._cache[key]

    def fresh(self, t: float, idx=None) -> np.ndarray:
        last = self.last if idx is None else self.last[idx]
        gap = t - last
        return np.where(np.isfinite(gap), 1.0 - np.exp(-np.maximum(gap, 0.0) / self.dwell), 1.0)

    def value(self, t: float, idx=None) -> np.ndarray:
        r, rev = self.per_pass(t)
        if idx is not None:
            r, rev, b = r[idx], rev[idx], self.boost[idx]
        else:
            b = self.boost
        mf = self.model.mean_fine or 1.0
        v = (1 - self.weight) * r + self.weight * rev / mf
        return v * b * self.fresh(t, idx)

    def interval(self, node: int, t: float) -> tuple[float, float]:
        key = self._slot(t)
        if key not in self._intervals:
            self._intervals[key] = self.model.rate_interval(self.ids, *key)
        lo, hi = self._intervals[key]
        return float(lo[node]), float(hi[node])


def _resolve_area(network: StreetNetwork, area) -> list[str]:
    if area is None:
        return network.blockfaces["blockface_id"].tolist()
    area = [area] if isinstance(area, str) else list(area)
    zones = set(network.blockfaces["zone_id"])
    if area and all(a in zones for a in area):
        return network.ids_in_zones(area)
    network.index_of(area)
    return area


def plan_shift(network: StreetNetwork, model: YieldModel, start: dt.datetime, hours: float, *,
               officers=1, area=None, depot: str | tuple[float, float] | None = None,
               objective="violations", changes: Changes | None = None, method: str = "pyvrp",
               time_limit_s: float | None = None, period_min: float | None = None,
               seed: int = 0, exclusive: bool = True) -> RoutePlan:
    """Plan one shift.

    network, model: the street network and the expected yield. start: tz-aware start of
    the shift (local time of the city). hours: its length. officers: a count or a list of
    ``Officer``. area: zone ids or blockface ids the shift covers (default: everything).
    depot: a blockface id, a (lon, lat) point (the nearest blockface), or None (the area's
    first blockface). objective: "violations", "revenue", or a revenue weight in [0, 1].
    method: "pyvrp" (prize-collecting VRP) or "nearest" (nearest-neighbour baseline).
    time_limit_s: the solver's budget for the whole shift (``CIVIC_ROUTING_TIME_LIMIT_S``,
    default 8 s), shared by the rounds. period_min: round length (``CIVIC_ROUTING_PERIOD_MIN``,
    default 30). exclusive: officers never share a blockface (one territory each).
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware (the city's local time)")
    if hours <= 0:
        raise ValueError("hours must be positive")
    if method not in ("pyvrp", "nearest"):
        raise ValueError(f"method must be 'pyvrp' or 'nearest', got {method!r}")
    weight = _objective_weight(objective)
    changes = changes or Changes()
    tl = env_float("CIVIC_ROUTING_TIME_LIMIT_S", DEFAULT_TIME_LIMIT_S) if time_limit_s is None else float(time_limit_s)
    period_s = 60.0 * (env_float("CIVIC_ROUTING_PERIOD_MIN", DEFAULT_PERIOD_MIN) if period_min is None else float(period_min))
    # set by hand, else learned from history, else the default
    dwell_s = 60.0 * env_float("CIVIC_ROUTING_DWELL_MIN", model.dwell_min or DEFAULT_DWELL_MIN)
    horizon = float(hours) * 3600.0
    warnings: list[str] = []

    area_ids = _resolve_area(network, area)
    closed = set(changes.closures)
    net = network.without(closed & set(network.blockfaces["blockface_id"]))
    area_ids = [b for b in area_ids if b not in closed]
    if not area_ids:
        raise ValueError("no blockface left to patrol in the area (all closed?)")
    officers = [Officer(f"officer-{i + 1}") for i in range(int(officers))] if isinstance(officers, int) else list(officers)
    if not officers:
        raise ValueError("at least one officer is needed")
    default_depot = _resolve_depot(net, depot, area_ids)
    depots = []
    for o in officers:
        d = o.depot or default_depot
        if d in closed:
            raise ValueError(f"depot blockface {d} of {o.officer_id} is closed")
        depots.append(d)
    # nodes: the area plus the depots (a depot outside the area is a place, not a client)
    ids = list(dict.fromkeys(area_ids + depots))
    in_area = np.array([b in set(area_ids) for b in ids])
    T = net.travel_times(ids, ids)
    bfr = net.blockfaces.set_index("blockface_id").loc[ids]
    trav = bfr["traverse_s"].to_numpy()
    pos = {b: i for i, b in enumerate(ids)}
    boost = np.ones(len(ids))
    for b, m in changes.boosts.items():
        if b in closed:
            continue
        if b not in pos:
            raise ValueError(f"boosted blockface {b} is not in the shift's area")
        boost[pos[b]] *= float(m)
    if changes.snow_day:
        boost[bfr["snow_route"].to_numpy()] *= env_float("CIVIC_ROUTING_SNOW_BOOST", DEFAULT_SNOW_BOOST)
    boost[~in_area] = 0.0
    valuer = _Valuer(model, ids, start, weight, boost, dwell_s)

    # required visits: (node, earliest, latest) in seconds from the shift start
    required: list[tuple[int, float, float, str]] = []
    for b, win in changes.required.items():
        if b in closed:
            warnings.append(f"required blockface {b} is closed: skipped")
            continue
        if b not in pos or not in_area[pos[b]]:
            raise ValueError(f"required blockface {b} is not in the shift's area")
        if win is None:
            a, z = 0.0, horizon
        else:
            a, z = (win[0] - start).total_seconds(), (win[1] - start).total_seconds()
        a, z = max(a, 0.0), min(z, horizon)
        if z <= a:
            warnings.append(f"required visit of {b} falls outside the shift: skipped")
            continue
        required.append((pos[b], a, z, "event"))
    due = school_zones_due(start.date(), set(bfr["school_zone_id"][in_area]) - {""}, changes.school_schedule)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    off = (start - midnight).total_seconds()
    for z_id in sorted(due):
        nodes = [pos[b] for b in ids if in_area[pos[b]] and bfr.loc[b, "school_zone_id"] == z_id]
        wins = [(max(a - off, 0.0), min(b - off, horizon)) for a, b in school_windows()]
        wins = [w for w in wins if w[1] - w[0] >= 5 * 60]
        if not wins:
            warnings.append(f"school zone {z_id} is due today but none of its windows falls in this shift")
            continue
        a, z = wins[0]
        for n in nodes:
            required.append((n, a, z, f"school_zone {z_id}"))

    t0 = time.perf_counter()
    territory = None
    if exclusive and len(officers) > 1:
        # an officer's share: the value of its blockfaces over the shift, plus a little per
        # blockface so that quiet streets are shared out too
        w = np.mean([valuer.value(t) for t in np.arange(0.0, horizon, 3600.0)], axis=0)
        w = w + 0.1 * (w[in_area].mean() if in_area.any() else 0.0)
        territory = split_territories(T, w, len(officers), pos[depots[0]], np.flatnonzero(in_area))
    if method == "pyvrp" and territory is not None:
        visits = _plan_territories(T, trav, valuer, in_area, officers, [pos[d] for d in depots], horizon, period_s,
                                   required, tl, seed, territory, warnings)
    elif method == "pyvrp":
        visits = _plan_pyvrp(T, trav, valuer, in_area, officers, [pos[d] for d in depots], horizon, period_s,
                             required, tl, seed, warnings)
    else:
        visits = _plan_nearest(T, trav, valuer, in_area, officers, [pos[d] for d in depots], horizon,
                               required, territory)
    solve_s = time.perf_counter() - t0
    return _assemble(net, model, ids, T, trav, valuer, visits, officers, depots, start, horizon, required,
                     method, solve_s, warnings)


def split_territories(T: np.ndarray, weight: np.ndarray, k: int, start: int, candidates=None) -> np.ndarray:
    """Split blockfaces into ``k`` compact territories of about equal ``weight`` (the
    officers' shares of a zone): seeds far apart (the first farthest from ``start``, each
    next farthest from those chosen), then the lightest territory grows by its nearest
    unassigned blockface until none is left. Returns the territory of each blockface
    (-1 outside ``candidates``)."""
    n = T.shape[0]
    cand = np.arange(n) if candidates is None else np.asarray(candidates)
    terr = np.full(n, -1)
    if k <= 1:
        terr[cand] = 0
        return terr
    S = (T + T.T) / 2
    seeds = [int(cand[np.argmax(S[start, cand])])]
    while len(seeds) < min(k, len(cand)):
        d = S[np.ix_(seeds, cand)].min(axis=0)
        seeds.append(int(cand[np.argmax(d)]))
    unassigned = np.zeros(n, dtype=bool)
    unassigned[cand] = True
    load = np.zeros(len(seeds))
    near = np.full((len(seeds), n), np.inf)
    for t, sd in enumerate(seeds):
        terr[sd] = t
        unassigned[sd] = False
        load[t] += weight[sd]
        near[t] = S[sd]
    while unassigned.any():
        t = int(np.argmin(load))
        d = np.where(unassigned, near[t], np.inf)
        b = int(np.argmin(d))
        terr[b] = t
        unassigned[b] = False
        load[t] += weight[b]
        near[t] = np.minimum(near[t], S[b])
    return terr


def _resolve_depot(net: StreetNetwork, depot, area_ids: list[str]) -> str:
    if depot is None:
        return area_ids[0]
    if isinstance(depot, str):
        net.index_of([depot])
        return depot
    try:
        lon, lat = float(depot[0]), float(depot[1])
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError("depot must be a blockface id or a (lon, lat) pair") from exc
    bf = net.blockfaces[net.blockfaces["blockface_id"].isin(set(area_ids))]
    d = (bf["lon"] - lon) ** 2 * math.cos(math.radians(lat)) ** 2 + (bf["lat"] - lat) ** 2
    return str(bf["blockface_id"].iloc[int(np.argmin(d.to_numpy()))])


# ---- PyVRP ----------------------------------------------------------------------------------
_TERRITORY_JOB: tuple | None = None  # the shift a forked worker plans an officer of


def _plan_one_territory(o: int, budget_s: float):
    """One officer's whole shift within its own territory (in a forked worker, or in this
    process): (visits, warnings)."""
    T, trav, valuer, in_area, officers, depot_nodes, horizon, period_s, required, seed, territory = _TERRITORY_JOB
    mine = in_area & (territory == o)
    warnings: list[str] = []
    visits = _plan_pyvrp(T, trav, valuer, mine, [officers[o]], [depot_nodes[o]], horizon, period_s,
                         [r for r in required if territory[r[0]] == o], budget_s, seed + 7919 * o, warnings)
    return visits[0], [f"{officers[o].officer_id}: {w}" for w in warnings]


def _plan_territories(T, trav, valuer: _Valuer, in_area, officers, depot_nodes, horizon, period_s, required,
                      time_limit_s, seed, territory, warnings) -> list[list[tuple[int, float, str]]]:
    """Officers with territories of their own never meet: no blockface, no required visit
    and no value is shared (a pass only refreshes its own blockface). Each officer's shift
    is then its own problem, half the size (the solver's moves between routes that the
    territories forbid cost it nothing any more), and the officers are planned side by
    side, one process each, up to ``CIVIC_ROUTING_WORKERS`` (default: the CPU count), each
    with the budget's share that keeps the whole plan within ``time_limit_s``."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import pyvrp  # noqa: F401  (imported once, before the workers fork)

    global _TERRITORY_JOB
    n_off = len(officers)
    workers = max(1, min(n_off, int(env_float("CIVIC_ROUTING_WORKERS", os.cpu_count() or 1))))
    waves = math.ceil(n_off / workers)
    _TERRITORY_JOB = (T, trav, valuer, in_area, officers, depot_nodes, horizon, period_s, required, seed, territory)
    try:
        if workers == 1:
            t_end = time.perf_counter() + time_limit_s
            results = [_plan_one_territory(o, max((t_end - time.perf_counter()) / (n_off - o), 0.05))
                       for o in range(n_off)]
        else:
            # fork: the workers inherit the matrices instead of receiving a pickled copy
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = [pool.submit(_plan_one_territory, o, time_limit_s / waves) for o in range(n_off)]
                results = [f.result() for f in futures]
    finally:
        _TERRITORY_JOB = None
    for _, w in results:
        warnings.extend(w)
    return [v for v, _ in results]


def _plan_pyvrp(T, trav, valuer: _Valuer, in_area, officers, depot_nodes, horizon, period_s, required,
                time_limit_s, seed, warnings) -> list[list[tuple[int, float, str]]]:
    """Rolling horizon: rounds of one prize-collecting VRP each, from the time the first
    officer is free to ``period_s`` later (the round that reaches the end of the shift ends
    at the depots). The officers share every blockface of ``in_area`` (officers with
    territories of their own come here one at a time: ``_plan_territories``). Returns per
    officer a list of (node, start seconds, reason)."""
    from pyvrp import (Client, Depot, IteratedLocalSearchParams, Location, ProblemData, SolveParams, VehicleType,
                       solve)
    from pyvrp.search import NeighbourhoodParams
    from pyvrp.stop import MaxRuntime

    params = SolveParams(
        # a round gets well under a second: a short late-acceptance history lets the search
        # settle in the few hundred iterations it has (PyVRP's default, 300, suits minutes)
        ils=IteratedLocalSearchParams(history_length=int(env_float("CIVIC_ROUTING_LAHC_HISTORY", DEFAULT_LAHC_HISTORY))),
        neighbourhood=NeighbourhoodParams(num_neighbours=int(env_float("CIVIC_ROUTING_NEIGHBOURS", DEFAULT_NEIGHBOURS))))

    n_off = len(officers)
    est_rounds = max(1.0, horizon / period_s)
    budget_end = time.perf_counter() + time_limit_s
    cur = list(depot_nodes)  # node whose end each officer stands at
    t_free = [0.0] * n_off
    home = [False] * n_off  # planned back to the depot: done
    visits: list[list[tuple[int, float, str]]] = [[] for _ in range(n_off)]
    done_required: set[int] = set()
    max_clients = int(env_float("CIVIC_ROUTING_MAX_CLIENTS", DEFAULT_MAX_CLIENTS))
    # a round can visit only so many blockfaces: offering the solver a few times that many
    # (the most valuable) lets it search much more in the same time
    factor = env_float("CIVIC_ROUTING_CANDIDATE_FACTOR", DEFAULT_CANDIDATE_FACTOR)
    time_share = env_float("CIVIC_ROUTING_TIME_PRICE", DEFAULT_TIME_PRICE)
    if not 0.0 <= time_share <= 0.8:
        raise ValueError(f"CIVIC_ROUTING_TIME_PRICE={time_share}: want a share of the round's value rate in [0, 0.8] "
                         "(near 1 a round stops collecting anything but its best blockfaces)")
    area_nodes = np.flatnonzero(in_area)
    hop = T[np.ix_(area_nodes, area_nodes)] + np.diag(np.full(len(area_nodes), np.inf))
    step = float(np.median(trav[area_nodes]) + np.median(hop.min(axis=1))) if len(area_nodes) > 1 else 60.0
    rounds = 0
    while rounds < 10 * est_rounds + 10:
        active = [o for o in range(n_off) if not home[o]]
        if not active:
            break
        rounds += 1
        r_start = min(t_free[o] for o in active)
        h_end = r_start + period_s
        if horizon - h_end < period_s / 2:  # no stub of a round at the end
            h_end = horizon
        last = h_end >= horizon - 1e-6
        val = valuer.value((r_start + h_end) / 2)
        req_here = {}
        for node, a, z, why in required:
            a2, z2 = max(a, r_start), min(z, h_end)
            if node not in done_required and z2 - a2 >= trav[node]:
                req_here[node] = (a2, z2, why)
        cand = np.flatnonzero(in_area & (val > 1e-6))
        cap = max_clients
        if factor > 0:
            cap = min(cap, max(50, int(factor * len(active) * (h_end - r_start) / max(step, 1.0))))
        if len(cand) > cap:
            cand = cand[np.argsort(-val[cand])[:cap]]
        cand = np.array(sorted(set(cand.tolist()) | set(req_here)), dtype=np.int64)
        if len(cand) == 0:
            if last:
                break
            for o in active:
                t_free[o] = max(t_free[o], h_end)
            continue
        # locations: officer starts, officer ends, clients. An end is the depot in the last
        # round; before, it is "wherever the round stops", as long as the depot stays
        # within reach by the end of the shift.
        n_fixed = 2 * n_off
        L = n_fixed + len(cand)
        M = np.full((L, L), BIG, dtype=np.int64)
        cl = slice(n_fixed, L)
        M[cl, cl] = np.ceil(T[np.ix_(cand, cand)]).astype(np.int64)
        slack = 0.0 if last else horizon - h_end
        for o in range(n_off):
            d = depot_nodes[o]
            M[o, cl] = np.ceil(T[cur[o], cand]).astype(np.int64)
            back = np.ceil(T[cand, d] + trav[d])
            back[cand == d] = 0
            M[cl, n_off + o] = np.maximum(back - slack, 0).astype(np.int64)
            back0 = 0.0 if cur[o] == d else math.ceil(T[cur[o], d] + trav[d])
            M[o, n_off + o] = int(max(back0 - slack, 0))
        np.fill_diagonal(M, 0)
        locations = [Location(0.0, 0.0) for _ in range(L)]

        def make_clients(required: str):
            """required: "required" (required clients with their windows), "prize" (optional,
            worth 100 violations, windows kept) or "dropped" (no window, no prize: skipped)."""
            out = []
            for j, node in enumerate(cand.tolist()):
                svc = max(1, int(math.ceil(trav[node])))
                if node in req_here and required != "dropped":
                    a, z, _ = req_here[node]
                    out.append(Client(location=n_fixed + j, service_duration=svc, tw_early=int(a),
                                      tw_late=max(int(a), int(z) - svc), required=required == "required",
                                      prize=0 if required == "required" else 100 * PRIZE_SCALE))
                else:
                    prize = 0 if node in req_here else int(round(val[node] * PRIZE_SCALE))
                    out.append(Client(location=n_fixed + j, service_duration=svc, required=False, prize=prize))
            return out

        depots = [Depot(location=o) for o in range(2 * n_off)]
        profiles = [M]
        # the last round's spare time is only an early return; an earlier round's goes on
        # to the next round, so there a second of route costs what the next round earns
        price = 1 if last else round_time_price(val[cand], len(active), h_end - r_start, step, time_share)
        vtypes = [VehicleType(num_available=1, start_depot=o, end_depot=n_off + o, tw_early=int(t_free[o]),
                              tw_late=int(max(h_end, t_free[o])), unit_distance_cost=0, unit_duration_cost=price,
                              name=officers[o].officer_id) for o in active]
        # what is left of the budget, shared by this round and the ones still to come
        per_round = max((budget_end - time.perf_counter()) / max(1.0, (horizon - r_start) / period_s), 0.05)

        def solve_round(required: str):
            data = ProblemData(locations, make_clients(required), depots, vtypes, profiles, profiles)
            worth = val[cand] if required != "dropped" else np.where(np.isin(cand, list(req_here)), 0.0, val[cand])
            init = _greedy_start(data, profiles, worth, active, n_fixed)
            return solve(data, MaxRuntime(per_round), seed=seed + rounds, collect_stats=False, display=False,
                         initial_solution=init, params=params).best

        sol = solve_round("required")
        if not sol.is_feasible() and req_here:
            warnings.append(f"round {rounds}: required visits made the plan infeasible; retried with them optional")
            sol = solve_round("prize")
            if not sol.is_feasible():
                # a window no route can meet: plan the round without those visits
                warnings.append(f"round {rounds}: required visits out of reach in their windows: planned without them")
                sol = solve_round("dropped")
        moved = set()
        if not sol.is_feasible():
            # never hand out a schedule that does not hold (it would arrive before it can)
            warnings.append(f"round {rounds}: the solver found no feasible plan: the round is left empty")
        for route in (sol.routes() if sol.is_feasible() else []):
            o = active[route.vehicle_type()]
            for act in route.schedule():
                if not act.is_client():
                    continue
                node = int(cand[act.idx])
                why = req_here[node][2] if node in req_here else ""
                visits[o].append((node, float(act.start_time), why))
                valuer.last[node] = max(valuer.last[node], float(act.start_time))
                if node in req_here:
                    done_required.add(node)
                cur[o] = node
                t_free[o] = float(act.end_time)
                moved.add(o)
        for o in active:
            if last:
                home[o] = True  # this round brought it back to the depot
            elif o not in moved:
                t_free[o] = max(t_free[o], h_end)  # nothing worth it now: wait for the next round
    return visits


def round_time_price(value: np.ndarray, n_vehicles: int, span_s: float, step_s: float, share: float) -> int:
    """Prize units a second of route costs in a round that hands its spare time to the next:
    ``share`` of the rate the round's best blockfaces pay (the most valuable as many as
    its officers can visit in ``span_s``, one per ``step_s``, summed, per second of the
    officers' time), at least 1 (driving time then only breaks ties).

    Why: the rounds are short, so a route that collects as much but ends a minute sooner
    gives that minute to the next round. Priced, the solver's moves that shorten a route
    count for what the time is worth instead of a tie-break, and on the 500-blockface
    benchmark the search finds better rounds in the same time (BENCHMARKS.md). The price
    stays below the best blockfaces' rate so that a round still fills its time."""
    if share <= 0 or len(value) == 0 or span_s <= 0:
        return 1
    k = max(1, int(n_vehicles * span_s / max(step_s, 1.0)))
    rate = float(np.sort(np.asarray(value, dtype=float))[::-1][:k].sum()) * PRIZE_SCALE / (n_vehicles * span_s)
    return max(1, int(round(share * rate)))


def _greedy_start(data, profiles, value, active, n_fixed):
    """A quick first solution for the solver (its own start, every client in random routes,
    costs seconds on hundreds of clients): cheapest insertion by value, i.e. repeatedly the
    client, vehicle and position with the most value per extra second of route, while every
    route still fits its vehicle's time window."""
    from pyvrp import Route, Solution

    clients = data.clients()
    n = len(clients)
    svc = np.array([c.service_duration for c in clients], dtype=float)
    loc = n_fixed + np.arange(n)
    free = value > 0
    routes = []  # per vehicle: list of client indices
    state = []
    for v in range(len(active)):
        vt = data.vehicle_type(v)
        M = profiles[vt.profile].astype(float)
        s_loc, e_loc = data.depot(vt.start_depot).location, data.depot(vt.end_depot).location
        state.append((M, s_loc, e_loc, float(vt.tw_late - vt.tw_early)))
        routes.append([])
    dur = [st[0][st[1], st[2]] for st in state]
    while free.any():
        best = (0.0, -1, -1, -1, 0.0)  # ratio, vehicle, position, client, delta
        for v, (M, s_loc, e_loc, limit) in enumerate(state):
            seq = [s_loc] + [int(loc[c]) for c in routes[v]] + [e_loc]
            A, B = np.array(seq[:-1]), np.array(seq[1:])
            delta = M[np.ix_(A, loc)] + svc[None, :] + M[np.ix_(loc, B)].T - M[A, B][:, None]
            ok = (dur[v] + delta <= limit) & free[None, :]
            if not ok.any():
                continue
            ratio = np.where(ok, value[None, :] / np.maximum(delta, 1.0), -1.0)
            i, c = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
            if ratio[i, c] > best[0]:
                best = (float(ratio[i, c]), v, int(i), int(c), float(delta[i, c]))
        if best[1] < 0:
            break
        _, v, i, c, d = best
        routes[v].insert(i, c)
        dur[v] += d
        free[c] = False
    return Solution(data, [Route(data, r, v) for v, r in enumerate(routes) if r])


# ---- nearest neighbour ------------------------------------------------------------------------
def _plan_nearest(T, trav, valuer: _Valuer, in_area, officers, depot_nodes, horizon, required, territory):
    """Each officer, in the order they become free, drives to the nearest blockface whose
    current value is at least the median of the area's positive values (required visits
    whose window is open come first), as long as it can still be back at its depot."""
    n_off = len(officers)
    visits: list[list[tuple[int, float, str]]] = [[] for _ in range(n_off)]
    pending = {node: (a, z, why) for node, a, z, why in required}
    heap = [(0.0, o, depot_nodes[o]) for o in range(n_off)]
    heapq.heapify(heap)
    area_idx = np.flatnonzero(in_area)
    while heap:
        t, o, cur = heapq.heappop(heap)
        d = depot_nodes[o]
        back = T[:, d] + trav[d]
        allowed = area_idx if territory is None else area_idx[territory[area_idx] == o]
        arrive = t + T[cur, allowed]
        fits = arrive + trav[allowed] + np.where(allowed == d, 0.0, back[allowed]) <= horizon
        pick, why = None, ""
        allowed_set = set(allowed.tolist())
        open_req = [n for n, (a, z, _) in pending.items() if n in allowed_set
                    and a <= t + T[cur, n] <= z - trav[n] and t + T[cur, n] + trav[n] + back[n] <= horizon]
        if open_req:
            n = min(open_req, key=lambda n: T[cur, n])
            a, z, why = pending.pop(n)
            pick = n
            start_at = max(t + T[cur, n], a)
        else:
            val = valuer.value(t, allowed)
            pos = val[val > 1e-9]
            if len(pos) and fits.any():
                ok = fits & (val >= np.median(pos)) & (val > 1e-9)
                if ok.any():
                    j = np.flatnonzero(ok)[np.argmin(arrive[ok])]
                    pick = int(allowed[j])
                    start_at = arrive[j]
        if pick is None:
            continue  # nothing worth it fits: the officer heads back
        visits[o].append((pick, float(start_at), why))
        valuer.last[pick] = max(valuer.last[pick], float(start_at))
        heapq.heappush(heap, (float(start_at + trav[pick]), o, pick))
    return visits


# ---- result --------------------------------------------------------------------------------
def _assemble(net, model, ids, T, trav, valuer: _Valuer, visits, officers, depots, start, horizon, required,
              method, solve_s, warnings) -> RoutePlan:
    bfr = net.blockfaces.set_index("blockface_id")
    all_v = sorted((t, o, node, why) for o, vs in enumerate(visits) for node, t, why in vs)
    valuer.last[:] = -np.inf
    rows = []
    for t, o, node, why in all_v:
        r, rev = valuer.per_pass(t)
        fresh = float(valuer.fresh(t, np.array([node]))[0])
        lo, hi = valuer.interval(node, t)
        b = valuer.boost[node]
        rows.append({"officer_id": officers[o].officer_id, "blockface_id": ids[node], "t": t,
                     "arrival": start + dt.timedelta(seconds=t), "departure": start + dt.timedelta(seconds=t + trav[node]),
                     "expected_violations": float(r[node] * fresh * b), "expected_revenue": float(rev[node] * fresh * b),
                     "expected_violations_lo": lo * fresh * b, "expected_violations_hi": hi * fresh * b,
                     "value": float(valuer.value(t, np.array([node]))[0]), "required": bool(why), "reason": why})
        valuer.last[node] = t
    stops = pd.DataFrame(rows, columns=["officer_id", "blockface_id", "t", "arrival", "departure", "expected_violations",
                                        "expected_revenue", "expected_violations_lo", "expected_violations_hi", "value",
                                        "required", "reason"])
    stops = stops.sort_values(["officer_id", "t"], kind="stable").reset_index(drop=True)
    stops["seq"] = stops.groupby("officer_id").cumcount() + 1
    geo = bfr.loc[stops["blockface_id"], ["lat", "lon", "lon0", "lat0", "lon1", "lat1", "zone_id"]].reset_index(drop=True)
    stops = pd.concat([stops, geo], axis=1)
    pos = {b: i for i, b in enumerate(ids)}
    orow = []
    for o, off in enumerate(officers):
        s = stops[stops["officer_id"] == off.officer_id]
        d = pos[depots[o]]
        if len(s):
            lastn = pos[s["blockface_id"].iloc[-1]]
            back = float(s["t"].iloc[-1] + trav[lastn] + (0.0 if lastn == d else T[lastn, d] + trav[d]))
            driving = float(sum(trav[pos[b]] for b in s["blockface_id"]))
            prev = d
            for b in s["blockface_id"]:
                driving += float(T[prev, pos[b]])
                prev = pos[b]
            driving += 0.0 if prev == d else float(T[prev, d] + trav[d])
        else:
            back, driving = 0.0, 0.0
        orow.append({"officer_id": off.officer_id, "depot": depots[o], "start": start,
                     "back_at_depot": start + dt.timedelta(seconds=back), "stops": int(len(s)),
                     "expected_violations": float(s["expected_violations"].sum()),
                     "expected_revenue": float(s["expected_revenue"].sum()), "driving_s": driving,
                     "within_shift": back <= horizon + 1e-6})
    odf = pd.DataFrame(orow)
    req_nodes = {n for n, _, _, _ in required}
    visited = set(stops.loc[stops["required"], "blockface_id"])  # in its window, not just some time
    missed_req = sorted(ids[n] for n in req_nodes if ids[n] not in visited)
    if missed_req:
        warnings.append(f"required blockfaces not visited: {', '.join(missed_req)}")
    totals = {
        "method": method, "officers": len(officers), "stops": int(len(stops)),
        "distinct_blockfaces": int(stops["blockface_id"].nunique()) if len(stops) else 0,
        "expected_violations": float(stops["expected_violations"].sum()) if len(stops) else 0.0,
        "expected_revenue": float(stops["expected_revenue"].sum()) if len(stops) else 0.0,
        "objective_value": float(stops["value"].sum()) if len(stops) else 0.0,
        "hours": horizon / 3600.0, "solve_seconds": round(solve_s, 3),
        "feasible": bool(odf["within_shift"].all()) and not missed_req,
        "required_missed": missed_req, "warnings": warnings,
    }
    return RoutePlan(stops.drop(columns=["t"]), odf, totals, start, start + dt.timedelta(seconds=horizon))


# ---- exports ---------------------------------------------------------------------------------
def _iso(ts) -> str:
    return pd.Timestamp(ts).isoformat()


def to_geojson(plan: RoutePlan) -> dict:
    """The plan as a GeoJSON FeatureCollection for the handheld: one LineString per stop
    (the blockface in driving direction, properties: officer_id, seq, blockface_id,
    arrival, departure, expected_violations, expected_revenue, required, reason) and one
    LineString per officer joining its stops in order (kind = "route")."""
    feats = []
    for r in plan.stops.itertuples(index=False):
        feats.append({"type": "Feature",
                      "geometry": {"type": "LineString", "coordinates": [[round(r.lon0, 7), round(r.lat0, 7)],
                                                                          [round(r.lon1, 7), round(r.lat1, 7)]]},
                      "properties": {"kind": "stop", "officer_id": r.officer_id, "seq": int(r.seq),
                                     "blockface_id": r.blockface_id, "arrival": _iso(r.arrival),
                                     "departure": _iso(r.departure),
                                     "expected_violations": round(float(r.expected_violations), 4),
                                     "expected_revenue": round(float(r.expected_revenue), 2),
                                     "required": bool(r.required), "reason": r.reason}})
    for off, s in plan.stops.groupby("officer_id", sort=False):
        coords = []
        for r in s.itertuples(index=False):
            coords += [[round(r.lon0, 7), round(r.lat0, 7)], [round(r.lon1, 7), round(r.lat1, 7)]]
        if len(coords) >= 2:
            feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                          "properties": {"kind": "route", "officer_id": off, "stops": int(len(s)),
                                         "expected_violations": round(float(s["expected_violations"].sum()), 4)}})
    return {"type": "FeatureCollection", "features": feats,
            "properties": {"start": _iso(plan.start), "end": _iso(plan.end),
                           **{k: v for k, v in plan.totals.items() if k != "warnings"}}}


def to_gpx(plan: RoutePlan) -> str:
    """The plan as GPX 1.1: one <rte> per officer, a <rtept> per stop at the blockface's
    start (name = blockface id, time = planned arrival in UTC, desc = expected yield)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<gpx version="1.1" creator="civic routing" xmlns="http://www.topografix.com/GPX/1/1">',
           f"  <metadata><name>{escape('route plan ' + _iso(plan.start))}</name>"
           f"<time>{pd.Timestamp(plan.start).tz_convert('UTC').strftime('%Y-%m-%dT%H:%M:%SZ')}</time></metadata>"]
    for off, s in plan.stops.groupby("officer_id", sort=False):
        out.append(f"  <rte><name>{escape(str(off))}</name>")
        for r in s.itertuples(index=False):
            t = pd.Timestamp(r.arrival).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
            desc = f"expected violations {float(r.expected_violations):.3f}, revenue ${float(r.expected_revenue):.2f}"
            if r.required:
                desc += f", required ({r.reason})"
            out.append(f'    <rtept lat="{r.lat0:.7f}" lon="{r.lon0:.7f}"><time>{t}</time>'
                       f"<name>{escape(str(r.blockface_id))}</name><desc>{escape(desc)}</desc></rtept>")
        out.append("  </rte>")
    out.append("</gpx>")
    return "\n".join(out) + "\n"


def plan_summary_json(plan: RoutePlan) -> str:
    """The plan's totals and per-officer summary as JSON (for logs and the asset's metadata)."""
    o = plan.officers.copy()
    for c in ("start", "back_at_depot"):
        o[c] = o[c].map(_iso)
    return json.dumps({"totals": plan.totals, "officers": o.to_dict(orient="records")}, default=str)
