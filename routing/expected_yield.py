"""Expected yield per blockface and time slot (weekday x hour), with its uncertainty.

The yield of a pass is the number of vehicles in violation an officer finds on the
blockface (and the fines they carry). History gives, per blockface and local slot,
``passes`` (patrol passes) and ``violations`` (distinct vehicles found in violation during
those passes). The rate (violations per pass) is estimated with Gamma-Poisson shrinkage
down a hierarchy, each level the prior of the next:

    zone            Gamma prior from the city-wide rate, strength k passes
    zone x hour     prior: zone rate
    zone x slot     prior: zone x hour rate (slot = weekday x hour)
    blockface x hour    prior: zone x hour rate x the blockface's own level
                         (its rate over all its passes / its zone's, shrunk to 1)
    blockface x slot    prior: blockface x hour rate x (zone x slot / zone x hour)

At every level the posterior is Gamma(k * prior_mean + violations, k + passes): mean
``(k * prior + y) / (k + n)``, and ``rate_lo`` / ``rate_hi`` are its ``interval`` (default
80%) equal-tailed quantiles (for a slot with next to no data and a small prior the Gamma is
so skewed that its mean can lie above ``rate_hi``). k is ``CIVIC_YIELD_PRIOR_PASSES`` (default 4). A slot never patrolled keeps
the prior (wide interval); a well patrolled one follows its own data (narrow interval).

``dwell_min``: how long found violators take to be replaced by new ones, estimated from
repeat sightings of the same vehicles in consecutive pass-hours (``estimate_dwell_minutes``).

Revenue per pass = rate x the expected fine per violation (the blockface's mean fine shrunk
to its zone's with ``CIVIC_YIELD_FINE_PRIOR`` violations, default 5).

Inputs map onto the warehouse marts (see ``history_from_warehouse``):

- passes: one row per patrol pass (``blockface_id``, ``timestamp``). From
  ``fct_occupancy_hourly`` (= ``int_plate_reads_aggregated_hourly`` without '-1'): one
  pass per row, ``blockface_id``, ``hour_start`` (an hour in which a patrol read the
  blockface; several passes in one hour count as one, a blockface with no parked car
  leaves no read and no pass).
- violations: one row per vehicle found in violation (``blockface_id``, ``timestamp``,
  ``fine``, optional ``vehicle``). From ``fct_alpr_hits``: ``blockface_id``,
  ``captured_at``, ``fine_amount``, ``plate_pseudonym``, deduplicated to one row per
  vehicle, blockface and hour (a car read twice in an hour is one violation).
- tickets (optional, for fines only): ``blockface_id``, ``timestamp``, ``fine``. From
  ``fct_tickets``: ``blockface_id``, ``issued_at``, ``fine_amount``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import gamma

CITY_TZ = "America/Toronto"
SLOTS = 7 * 24


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def posterior(prior_mean, k: float, y, n):
    """Gamma-Poisson posterior mean of a rate with prior mean ``prior_mean`` worth ``k``
    passes, after ``y`` violations in ``n`` passes."""
    return (k * np.asarray(prior_mean, dtype=float) + np.asarray(y, dtype=float)) / (k + np.asarray(n, dtype=float))


def posterior_interval(prior_mean, k: float, y, n, interval: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed ``interval`` of the Gamma posterior Gamma(k*prior + y, k + n)."""
    a = k * np.asarray(prior_mean, dtype=float) + np.asarray(y, dtype=float)
    b = k + np.asarray(n, dtype=float)
    a = np.maximum(a, 1e-9)
    lo = gamma.ppf((1 - interval) / 2, a, scale=1 / b)
    hi = gamma.ppf(1 - (1 - interval) / 2, a, scale=1 / b)
    return lo, hi


@dataclass
class YieldModel:
    """Expected violations and revenue per pass, per blockface and local slot.

    ``table``: one row per blockface x weekday (0 = Monday) x hour (local), with
    passes, violations (history counts), prior_rate, rate (posterior mean violations per
    pass), rate_lo / rate_hi (the interval), fine (expected fine per violation),
    revenue / revenue_lo / revenue_hi (rate x fine).
    """

    table: pd.DataFrame
    interval: float
    prior_passes: float
    tz: str = CITY_TZ
    dwell_min: float | None = None  # learned turnover of violators (estimate_dwell_minutes)

    def __post_init__(self):
        ids = self.table["blockface_id"].drop_duplicates().tolist()
        self._row = {b: i for i, b in enumerate(ids)}
        t = self.table.sort_values(["blockface_id", "weekday", "hour"])
        order = np.argsort([self._row[b] for b in t["blockface_id"].drop_duplicates()])
        nb = len(ids)
        self._rate = t["rate"].to_numpy().reshape(nb, SLOTS)[order]
        self._revenue = t["revenue"].to_numpy().reshape(nb, SLOTS)[order]
        self._lo = t["rate_lo"].to_numpy().reshape(nb, SLOTS)[order]
        self._hi = t["rate_hi"].to_numpy().reshape(nb, SLOTS)[order]
        self._fine_mean = float(np.nanmean(t["fine"])) if len(t) else 0.0

    def _rows(self, blockface_ids) -> np.ndarray:
        return np.array([self._row.get(b, -1) for b in blockface_ids], dtype=np.int64)

    def rate(self, blockface_ids, weekday: int, hour: int) -> np.ndarray:
        """Expected violations per pass at this local weekday (0 = Monday) and hour; 0 for
        blockfaces the model does not know."""
        r = self._rows(blockface_ids)
        s = int(weekday) * 24 + int(hour)
        return np.where(r >= 0, self._rate[np.maximum(r, 0), s], 0.0)

    def revenue(self, blockface_ids, weekday: int, hour: int) -> np.ndarray:
        """Expected fines (dollars) per pass at this weekday and hour."""
        r = self._rows(blockface_ids)
        s = int(weekday) * 24 + int(hour)
        return np.where(r >= 0, self._revenue[np.maximum(r, 0), s], 0.0)

    def rate_interval(self, blockface_ids, weekday: int, hour: int) -> tuple[np.ndarray, np.ndarray]:
        """The interval (``interval``, default 80%) of the violations per pass."""
        r = self._rows(blockface_ids)
        s = int(weekday) * 24 + int(hour)
        ok = r >= 0
        return (np.where(ok, self._lo[np.maximum(r, 0), s], 0.0), np.where(ok, self._hi[np.maximum(r, 0), s], 0.0))

    @property
    def mean_fine(self) -> float:
        """The average expected fine per violation (converts revenue to violations)."""
        return self._fine_mean


def _local(ts: pd.Series, tz: str) -> pd.Series:
    t = pd.to_datetime(ts, utc=True, format="mixed") if not pd.api.types.is_datetime64_any_dtype(ts) else ts
    if getattr(t.dt, "tz", None) is None:
        t = t.dt.tz_localize("UTC")
    return t.dt.tz_convert(tz)


def _check(df: pd.DataFrame, name: str, cols: tuple[str, ...]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {', '.join(missing)} (has {', '.join(map(str, df.columns))})")


def learn_expected_yield(passes: pd.DataFrame, violations: pd.DataFrame, blockfaces: pd.DataFrame,
                         tickets: pd.DataFrame | None = None, *, prior_passes: float | None = None,
                         interval: float = 0.8, tz: str = CITY_TZ) -> YieldModel:
    """Learn the expected yield per blockface x (weekday, hour) from history.

    ``passes``: blockface_id, timestamp (one row per pass). ``violations``: blockface_id,
    timestamp, fine (one row per vehicle found in violation; optional ``vehicle`` to drop
    repeat reads of one car in one hour). ``blockfaces``: blockface_id, zone_id (every
    blockface to predict for, e.g. ``StreetNetwork.blockfaces``). ``tickets``: optional
    blockface_id, fine, to refine the fine per violation. Timestamps: tz-aware, or UTC.
    Rows whose blockface is not in ``blockfaces`` are ignored.
    """
    _check(passes, "passes", ("blockface_id", "timestamp"))
    _check(violations, "violations", ("blockface_id", "timestamp", "fine"))
    _check(blockfaces, "blockfaces", ("blockface_id", "zone_id"))
    k = _env_float("CIVIC_YIELD_PRIOR_PASSES", 4.0) if prior_passes is None else float(prior_passes)
    k_fine = _env_float("CIVIC_YIELD_FINE_PRIOR", 5.0)
    if k <= 0:
        raise ValueError("prior strength (passes) must be positive")
    if not 0 < interval < 1:
        raise ValueError("interval must be between 0 and 1")
    bf = blockfaces[["blockface_id", "zone_id"]].drop_duplicates("blockface_id").reset_index(drop=True)
    known = set(bf["blockface_id"])
    bidx = {b: i for i, b in enumerate(bf["blockface_id"])}
    zones = sorted(bf["zone_id"].unique())
    zidx = {z: i for i, z in enumerate(zones)}
    zone_of = bf["zone_id"].map(zidx).to_numpy()
    nb, nz = len(bf), len(zones)

    def slot_counts(df: pd.DataFrame, dedup_vehicle: bool) -> tuple[np.ndarray, pd.DataFrame]:
        d = df[df["blockface_id"].isin(known)].copy()
        loc = _local(d["timestamp"], tz)
        d["weekday"] = loc.dt.weekday.to_numpy()
        d["hour"] = loc.dt.hour.to_numpy()
        if dedup_vehicle and "vehicle" in d.columns:
            d["_h"] = loc.dt.floor("h")
            d = d.drop_duplicates(["blockface_id", "vehicle", "_h"])
        c = np.zeros((nb, SLOTS))
        if len(d):
            np.add.at(c, (d["blockface_id"].map(bidx).to_numpy(), d["weekday"].to_numpy() * 24 + d["hour"].to_numpy()), 1)
        return c, d

    n, _ = slot_counts(passes, False)
    y, vd = slot_counts(violations, True)
    hours = np.arange(SLOTS) % 24

    def by_zone(a: np.ndarray) -> np.ndarray:
        out = np.zeros((nz, a.shape[1]))
        np.add.at(out, zone_of, a)
        return out

    def by_hour(a: np.ndarray) -> np.ndarray:
        out = np.zeros((a.shape[0], 24))
        for h in range(24):
            out[:, h] = a[:, hours == h].sum(axis=1)
        return out

    # city-wide rate with a weak half-violation prior, so zero data never gives zero rates
    city = (y.sum() + 0.5) / (n.sum() + 1.0)
    yz, nzp = by_zone(y), by_zone(n)
    r_z = posterior(city, k, yz.sum(axis=1), nzp.sum(axis=1))  # (nz,)
    r_zh = posterior(r_z[:, None], k, by_hour(yz), by_hour(nzp))  # (nz, 24)
    r_zs = posterior(r_zh[:, hours], k, yz, nzp)  # (nz, 168)
    # the blockface's own level relative to its zone, shrunk to 1
    yb, nbp = y.sum(axis=1), n.sum(axis=1)
    level = posterior(1.0, k, yb / np.maximum(r_z[zone_of], 1e-9), nbp)
    prior_bh = r_zh[zone_of] * level[:, None]
    r_bh = posterior(prior_bh, k, by_hour(y), by_hour(n))
    wk = np.where(r_zh[:, hours] > 0, r_zs / np.maximum(r_zh[:, hours], 1e-12), 1.0)
    prior_bs = r_bh[:, hours] * wk[zone_of]
    rate = posterior(prior_bs, k, y, n)
    lo, hi = posterior_interval(prior_bs, k, y, n, interval)

    # expected fine per violation
    fines = vd[["blockface_id", "fine"]]
    if tickets is not None and len(tickets):
        _check(tickets, "tickets", ("blockface_id", "fine"))
        fines = pd.concat([fines, tickets.loc[tickets["blockface_id"].isin(known), ["blockface_id", "fine"]]])
    fines = fines.dropna()
    city_fine = float(fines["fine"].mean()) if len(fines) else 30.0
    fb = fines.groupby("blockface_id")["fine"].agg(["sum", "count"])
    f_sum = bf["blockface_id"].map(fb["sum"]).fillna(0.0).to_numpy()
    f_cnt = bf["blockface_id"].map(fb["count"]).fillna(0.0).to_numpy()
    zf_sum = np.bincount(zone_of, weights=f_sum, minlength=nz)
    zf_cnt = np.bincount(zone_of, weights=f_cnt, minlength=nz)
    zone_fine = (k_fine * city_fine + zf_sum) / (k_fine + zf_cnt)
    fine = (k_fine * zone_fine[zone_of] + f_sum) / (k_fine + f_cnt)

    wd = np.arange(SLOTS) // 24
    table = pd.DataFrame({
        "blockface_id": np.repeat(bf["blockface_id"].to_numpy(), SLOTS),
        "zone_id": np.repeat(bf["zone_id"].to_numpy(), SLOTS),
        "weekday": np.tile(wd, nb),
        "hour": np.tile(hours, nb),
        "passes": n.ravel().astype(np.int64),
        "violations": y.ravel().astype(np.int64),
        "prior_rate": prior_bs.ravel(),
        "rate": rate.ravel(),
        "rate_lo": lo.ravel(),
        "rate_hi": hi.ravel(),
        "fine": np.repeat(fine, SLOTS),
    })
    table["revenue"] = table["rate"] * table["fine"]
    table["revenue_lo"] = table["rate_lo"] * table["fine"]
    table["revenue_hi"] = table["rate_hi"] * table["fine"]
    return YieldModel(table, interval, k, tz, estimate_dwell_minutes(passes, violations, tz))


def estimate_dwell_minutes(passes: pd.DataFrame, violations: pd.DataFrame, tz: str = CITY_TZ,
                           max_gap_h: int = 4) -> float | None:
    """How long, on average, found violators stay before new ones replace them, in minutes.

    For consecutive pass-hours h1 < h2 (at most ``max_gap_h`` apart) on one blockface and
    day, the violators of h2 also seen at h1 are "old". With exponential turnover the old
    share after a gap g is exp(-g / D); D solves sum(old) = sum(violators_h2 * exp(-g/D)).
    Needs the ``vehicle`` column; None when history has no such pairs."""
    if "vehicle" not in violations.columns or violations.empty or passes.empty:
        return None
    p = pd.DataFrame({"b": passes["blockface_id"].to_numpy(),
                      "h": _local(passes["timestamp"], tz).dt.floor("h").to_numpy()}).drop_duplicates()
    v = pd.DataFrame({"b": violations["blockface_id"].to_numpy(), "veh": violations["vehicle"].to_numpy(),
                      "h": _local(violations["timestamp"], tz).dt.floor("h").to_numpy()}).drop_duplicates()
    p = p.sort_values(["b", "h"])
    p["h_next"] = p.groupby("b")["h"].shift(-1)
    p = p.dropna(subset=["h_next"])
    p["gap"] = (p["h_next"] - p["h"]) / pd.Timedelta(hours=1)
    p = p[(p["gap"] > 0) & (p["gap"] <= max_gap_h)]
    if p.empty:
        return None
    n2 = v.groupby(["b", "h"]).size().rename("n2").reset_index().rename(columns={"h": "h_next"})
    both = v.merge(v, on=["b", "veh"], suffixes=("", "_next"))
    both = both[both["h_next"] > both["h"]]
    old = both.groupby(["b", "h", "h_next"]).size().rename("old").reset_index()
    pairs = p.merge(n2, on=["b", "h_next"], how="inner").merge(old, on=["b", "h", "h_next"], how="left")
    pairs["old"] = pairs["old"].fillna(0)
    if pairs["n2"].sum() == 0 or pairs["old"].sum() == 0:
        return None
    g, n, o = pairs["gap"].to_numpy(), pairs["n2"].to_numpy(), pairs["old"].sum()
    lo, hi = 1e-3, 1e4  # hours
    for _ in range(100):  # sum(n * exp(-g / D)) increases with D
        mid = (lo * hi) ** 0.5
        if (n * np.exp(-g / mid)).sum() < o:
            lo = mid
        else:
            hi = mid
    return float(60.0 * (lo * hi) ** 0.5)


def history_from_warehouse(con, since=None, until=None, schema: str = "marts") -> dict[str, pd.DataFrame]:
    """History for ``learn_expected_yield`` from a DuckDB connection to the warehouse or
    its serving snapshot (``marts.fct_occupancy_hourly``, ``marts.fct_alpr_hits``,
    ``marts.fct_tickets``), for ``since <= time < until`` (ISO strings or None). Returns
    passes, violations and tickets."""
    where = []
    params: list = []
    if since is not None:
        where.append("ts >= cast(? as timestamptz)")
        params.append(str(since))
    if until is not None:
        where.append("ts < cast(? as timestamptz)")
        params.append(str(until))
    cond = (" where " + " and ".join(where)) if where else ""
    s = f"{schema}." if schema else ""
    passes = con.execute(
        f"select blockface_id, ts as timestamp from (select blockface_id, hour_start as ts "
        f"from {s}fct_occupancy_hourly){cond}", params).df()
    violations = con.execute(
        "select blockface_id, ts as timestamp, fine, vehicle from ("
        "select blockface_id, captured_at as ts, fine_amount as fine, plate_pseudonym as vehicle "
        f"from {s}fct_alpr_hits where blockface_id is not null and blockface_id <> '-1'){cond}", params).df()
    tickets = con.execute(
        "select blockface_id, ts as timestamp, fine from ("
        "select blockface_id, issued_at as ts, fine_amount as fine "
        f"from {s}fct_tickets where blockface_id is not null and blockface_id <> '-1'){cond}", params).df()
    return {"passes": passes, "violations": violations, "tickets": tickets}


def yield_model_from_rates(rates: pd.DataFrame, *, fine: float = 30.0) -> YieldModel:
    """A YieldModel from given rates (a supervisor's override, a test, a benchmark).

    ``rates``: blockface_id and rate (violations per pass), optionally weekday and hour
    (0 = Monday; missing: the same rate in every slot), fine (dollars per violation,
    default ``fine``), rate_lo / rate_hi (default: the rate itself)."""
    _check(rates, "rates", ("blockface_id", "rate"))
    r = rates.copy()
    if "weekday" not in r.columns or "hour" not in r.columns:
        grid = pd.DataFrame({"weekday": np.arange(SLOTS) // 24, "hour": np.arange(SLOTS) % 24})
        r = r.drop(columns=[c for c in ("weekday", "hour") if c in r.columns]).merge(grid, how="cross")
    ids = r["blockface_id"].drop_duplicates()
    full = pd.DataFrame({"blockface_id": np.repeat(ids.to_numpy(), SLOTS),
                         "weekday": np.tile(np.arange(SLOTS) // 24, len(ids)),
                         "hour": np.tile(np.arange(SLOTS) % 24, len(ids))})
    t = full.merge(r, on=["blockface_id", "weekday", "hour"], how="left")
    t["rate"] = t["rate"].fillna(0.0).astype(float)
    t["fine"] = t["fine"].fillna(fine).astype(float) if "fine" in t.columns else float(fine)
    for c in ("rate_lo", "rate_hi"):
        t[c] = t[c].fillna(t["rate"]) if c in t.columns else t["rate"]
    for c in ("zone_id",):
        if c not in t.columns:
            t[c] = ""
    t["passes"] = 0
    t["violations"] = 0
    t["prior_rate"] = t["rate"]
    t["revenue"] = t["rate"] * t["fine"]
    t["revenue_lo"] = t["rate_lo"] * t["fine"]
    t["revenue_hi"] = t["rate_hi"] * t["fine"]
    return YieldModel(t, interval=0.8, prior_passes=0.0)
