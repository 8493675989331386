"""Next-day route plans for every patrol shift, from the published serving snapshot.

``plan_day`` is what the nightly Dagster asset (orchestration/routing.py) runs:

1. the roster of the day: its shifts in ``marts.fct_officer_shifts`` when already known,
   else the shifts of the same weekday in the latest week that has them (the roster repeats
   weekly), else the latest day's shifts;
2. the street network from the blockfaces GIS extract (routing/network.py; foot patrols at
   walking speed, ``CIVIC_FOOT_SPEED_KMH``, default 4.5);
3. the expected yield learned from the snapshot's history before that day
   (routing/expected_yield.py);
4. the temporary changes of the day (``changes_for``: snow day, closures, events);
5. one plan per zone, patrol mode and start time: the officers starting together in a zone
   share it without overlap (routing/planner.py).

Written under ``$CIVIC_DATA_DIR/routing/plans/day=YYYY-MM-DD/``: ``stops.parquet`` (one row
per stop, every plan), ``officers.parquet`` (one row per officer and plan) and
``plans.json`` (per plan: totals, and where the numbers come from and as of when). The day
is written to a new folder and renamed into place, so the page never sees half a day.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from routing.expected_yield import history_from_warehouse, learn_expected_yield
from routing.network import env_float, network_from_data_dir
from routing.planner import Changes, Officer, RoutePlan, plan_shift

CITY_TZ = ZoneInfo("America/Toronto")
DEFAULT_FOOT_SPEED_KMH = 4.5


def plans_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "routing" / "plans"


def roster_for(con: duckdb.DuckDBPyConnection, day: dt.date) -> tuple[pd.DataFrame, str]:
    """The shifts to plan on ``day`` (officer_id, zone_id, mode, start, hours) and where
    they come from: the day's own shifts, the same weekday's latest, or the latest day's."""
    shifts = con.execute(
        "SELECT shift_date, officer_id, zone_id, mode, shift_start, shift_hours FROM marts.fct_officer_shifts "
        "WHERE zone_id IS NOT NULL AND shift_hours > 0").df()
    if shifts.empty:
        return shifts, "no shifts in marts.fct_officer_shifts"
    shifts["shift_date"] = pd.to_datetime(shifts["shift_date"]).dt.date
    same_day = shifts[shifts["shift_date"] == day]
    if not same_day.empty:
        chosen, origin = same_day, f"the roster of {day}"
    else:
        same_weekday = shifts[[d.weekday() == day.weekday() and d < day for d in shifts["shift_date"]]]
        template_day = max(same_weekday["shift_date"]) if not same_weekday.empty else max(shifts["shift_date"])
        chosen = shifts[shifts["shift_date"] == template_day]
        origin = f"the shifts of {template_day} ({template_day:%A}), repeated"
    out = chosen.copy()
    # the template's local start time, on the planned day, to the quarter hour
    local = pd.to_datetime(out["shift_start"], utc=True).dt.tz_convert(CITY_TZ)
    out["start"] = [dt.datetime.combine(day, dt.time(t.hour, t.minute // 15 * 15), tzinfo=CITY_TZ) for t in local]
    out["hours"] = out["shift_hours"].astype(float).round(2)
    return out[["officer_id", "zone_id", "mode", "start", "hours"]].sort_values(["start", "zone_id", "officer_id"]), origin


def changes_for(data_dir: Path, day: dt.date) -> Changes:
    """The temporary changes in force on ``day``: a declared snow day (CIVIC_SNOW_ROUTE_DATES,
    the same setting the snow-route rule reads), and the supervisors' closures and events in
    ``$CIVIC_DATA_DIR/routing/changes.json``::

        {"closures": [{"blockface_id": "BF-00012", "from": "2026-11-01", "to": "2026-11-03"}],
         "events": [{"blockface_ids": ["BF-00040"], "day": "2026-11-01", "start": "18:00",
                     "end": "22:00", "boost": 2.0, "required": true}]}

    A closure without dates holds every day. A malformed file is a ValueError."""
    snow = {d.strip() for d in os.environ.get("CIVIC_SNOW_ROUTE_DATES", "").split(",") if d.strip()}
    changes = Changes(snow_day=day.isoformat() in snow)
    f = Path(data_dir) / "routing" / "changes.json"
    if not f.exists():
        return changes
    try:
        spec = json.loads(f.read_text())
        for c in spec.get("closures", []):
            lo = dt.date.fromisoformat(c.get("from") or day.isoformat())
            hi = dt.date.fromisoformat(c.get("to") or c.get("from") or day.isoformat())
            if lo <= day <= hi:
                changes.closures.add(str(c["blockface_id"]))
        for e in spec.get("events", []):
            if dt.date.fromisoformat(e["day"]) != day:
                continue
            window = None
            if e.get("start") and e.get("end"):
                window = tuple(dt.datetime.combine(day, dt.time.fromisoformat(e[k]), tzinfo=CITY_TZ)
                               for k in ("start", "end"))
            for b in e["blockface_ids"]:
                if float(e.get("boost", 1.0)) != 1.0:
                    changes.boosts[str(b)] = float(e["boost"])
                if e.get("required"):
                    changes.required[str(b)] = window
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"{f}: {exc!r} (closures need blockface_id and from/to dates; events need day and "
                         f"blockface_ids)") from exc
    return changes


def _for_area(changes: Changes, area: set[str]) -> Changes:
    """The changes that concern one shift's area (closures apply everywhere)."""
    return Changes(closures=set(changes.closures), snow_day=changes.snow_day,
                   boosts={b: m for b, m in changes.boosts.items() if b in area},
                   required={b: w for b, w in changes.required.items() if b in area},
                   school_schedule=dict(changes.school_schedule))


def _snapshot_info(con) -> dict:
    row = con.execute("SELECT published_at, data_as_of FROM meta.snapshot_info").fetchone()
    return {"snapshot_published_at": str(row[0]), "data_as_of": str(row[1])} if row else {}


def plan_day(data_dir: Path, snapshot: Path, day: dt.date | None = None, *, time_limit_s: float | None = None,
             progress=lambda msg: None) -> dict:
    """Plan every shift of ``day`` (default: the day after the snapshot's data) and write the
    plans; returns the summary written to plans.json."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        con.execute("SET TimeZone = 'America/Toronto'")
        info = _snapshot_info(con)
        if day is None:
            as_of = pd.Timestamp(info["data_as_of"]).tz_convert(CITY_TZ) if info.get("data_as_of") not in (None, "None") \
                else pd.Timestamp.now(tz=CITY_TZ)
            day = as_of.date() + dt.timedelta(days=1)
        roster, roster_origin = roster_for(con, day)
        if roster.empty:
            raise ValueError(f"nothing to plan for {day}: {roster_origin}")
        history = history_from_warehouse(con, until=dt.datetime.combine(day, dt.time(0), tzinfo=CITY_TZ).isoformat())
    finally:
        con.close()

    drive = network_from_data_dir(data_dir)
    networks = {"alpr": drive}
    if (roster["mode"] == "foot").any():  # the same streets at walking speed, only when someone walks
        networks["foot"] = network_from_data_dir(data_dir, speed_kmh=env_float("CIVIC_FOOT_SPEED_KMH",
                                                                                DEFAULT_FOOT_SPEED_KMH))
    model = learn_expected_yield(history["passes"], history["violations"], drive.blockfaces, history["tickets"])
    changes = changes_for(data_dir, day)
    groups = list(roster.groupby(["zone_id", "mode", "start", "hours"], sort=True))
    stops, officers, plans = [], [], []
    for i, ((zone, mode, start, hours), g) in enumerate(groups, 1):
        plan_id = f"{day:%Y%m%d}-{zone}-{mode}-{start:%H%M}"
        progress(f"[{i}/{len(groups)}] {plan_id}: {len(g)} officer(s), {hours:g} h")
        plan = plan_shift(networks.get(mode, drive), model, start.to_pydatetime() if hasattr(start, "to_pydatetime")
                          else start, float(hours), officers=[Officer(o) for o in g["officer_id"]], area=[zone],
                          changes=_for_area(changes, set(drive.ids_in_zones([zone]))), time_limit_s=time_limit_s)
        stops.append(plan.stops.assign(plan_id=plan_id, zone_id=zone, mode=mode))
        officers.append(plan.officers.assign(plan_id=plan_id, zone_id=zone, mode=mode))
        plans.append({**_jsonable(plan.totals), "plan_id": plan_id, "zone_id": zone, "mode": mode,
                      "start": start.isoformat(), "end": plan.end.isoformat(), "hours": float(hours),
                      "officer_ids": g["officer_id"].tolist()})
    summary = {"day": day.isoformat(), "built_at": dt.datetime.now(dt.timezone.utc).isoformat(),
               "roster": roster_origin, "history_until": day.isoformat(), **info,
               "changes": {"snow_day": changes.snow_day, "closures": sorted(changes.closures),
                           "boosted": sorted(changes.boosts), "required": sorted(changes.required)},
               "yield_model": {"passes": int(len(history["passes"])), "violations": int(len(history["violations"]))},
               "plans": plans}
    _write_day(plans_dir(data_dir), day, pd.concat(stops, ignore_index=True), pd.concat(officers, ignore_index=True),
               summary)
    return summary


def _jsonable(d: dict) -> dict:
    return json.loads(json.dumps(d, default=str))


def _write_day(root: Path, day: dt.date, stops: pd.DataFrame, officers: pd.DataFrame, summary: dict) -> None:
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".day={day.isoformat()}.{uuid.uuid4().hex}"
    tmp.mkdir()
    stops.to_parquet(tmp / "stops.parquet", index=False)
    officers.to_parquet(tmp / "officers.parquet", index=False)
    (tmp / "plans.json").write_text(json.dumps(summary, indent=2))
    final = root / f"day={day.isoformat()}"
    if final.exists():
        old = root / f".old-{uuid.uuid4().hex}"
        os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, final)


def planned_days(data_dir: Path) -> list[dt.date]:
    """Days with written plans, newest first."""
    root = plans_dir(data_dir)
    days = [dt.date.fromisoformat(p.name.removeprefix("day=")) for p in root.glob("day=*")] if root.exists() else []
    return sorted(days, reverse=True)


def load_day(data_dir: Path, day: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The written plans of a day: stops, officers, summary."""
    folder = plans_dir(data_dir) / f"day={day.isoformat()}"
    return (pd.read_parquet(folder / "stops.parquet"), pd.read_parquet(folder / "officers.parquet"),
            json.loads((folder / "plans.json").read_text()))


def route_plan(stops: pd.DataFrame, officers: pd.DataFrame, summary: dict, plan_id: str,
               officer_id: str | None = None) -> RoutePlan:
    """One written plan (optionally one officer's part) as a RoutePlan, for the GPX and GeoJSON exports."""
    meta = next(p for p in summary["plans"] if p["plan_id"] == plan_id)
    s = stops[stops["plan_id"] == plan_id]
    o = officers[officers["plan_id"] == plan_id]
    if officer_id is not None:
        s, o = s[s["officer_id"] == officer_id], o[o["officer_id"] == officer_id]
    return RoutePlan(s.reset_index(drop=True), o.reset_index(drop=True), meta,
                     dt.datetime.fromisoformat(meta["start"]), dt.datetime.fromisoformat(meta["end"]))
