"""Route plans: tomorrow's patrol routes for supervisors, beside yesterday's actual tracks.

Reads the plans the nightly asset wrote (``routing/nightly.py``: $CIVIC_DATA_DIR/routing/
plans/day=*/) and, for the comparison, the serving snapshot's
``marts.fct_officer_shift_blockfaces`` (the blockfaces each shift read plates on) and
``marts.dim_blockfaces``. Exports one officer's route to the handheld as GPX or GeoJSON.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from apps import serving, ui
from routing.nightly import load_day, planned_days, route_plan
from routing.planner import to_geojson, to_gpx
from warehouse.config import paths

info = ui.page_header("Route plans")
days = planned_days(paths().data_dir)
if not days:
    st.info("No route plans yet: they are made nightly by the `route_plans_next_day` asset, or now with "
            "`civic routes plan`.", icon=":material/route:")
    st.stop()

c1, c2 = st.columns([1, 3])
day = c1.selectbox("Day", days, format_func=lambda d: f"{d:%a %Y-%m-%d}")
stops, officers, summary = load_day(paths().data_dir, day)
plans = summary["plans"]
plan_id = c2.selectbox("Shift plan", [p["plan_id"] for p in plans],
                       format_func=lambda pid: next(f"{p['zone_id']} · {p['mode']} · {p['start'][11:16]}–{p['end'][11:16]}"
                                                    f" · {', '.join(p['officer_ids'])}" for p in plans if p["plan_id"] == pid))
meta = next(p for p in plans if p["plan_id"] == plan_id)
st.caption(f"Plans built {ui.format_local(summary['built_at'])} from the snapshot published "
           f"{ui.format_local(summary.get('snapshot_published_at'))} (data as of "
           f"{ui.format_local(summary.get('data_as_of'))}); roster: {summary['roster']}. Expected yield learned from "
           f"{summary['yield_model']['passes']:,} patrol passes and {summary['yield_model']['violations']:,} violations "
           f"found before {summary['history_until']}; solver {meta['method']}, {meta['solve_seconds']:.1f} s.")

s = stops[stops["plan_id"] == plan_id].copy()
k = st.columns(5)
k[0].metric("Officers", len(meta["officer_ids"]))
k[1].metric("Stops", f"{meta['stops']:,}")
k[2].metric("Blockfaces", f"{meta['distinct_blockfaces']:,}")
lo, hi = s["expected_violations_lo"].sum(), s["expected_violations_hi"].sum()
k[3].metric("Expected violations", f"{meta['expected_violations']:,.0f}", help=f"80% interval per stop, summed: {lo:,.0f}–{hi:,.0f}")
k[4].metric("Expected fines", f"${meta['expected_revenue']:,.0f}")
for w in meta.get("warnings") or []:
    st.warning(w, icon=":material/warning:")

# Yesterday's actual: the shifts of the day before in the same zone and mode.
yesterday = day - dt.timedelta(days=1)
try:
    actual = serving.query(
        "SELECT a.officer_id, a.blockface_id, a.first_read_at, a.in_shift_zone, b.centroid_lat AS lat, "
        "b.centroid_lon AS lon FROM marts.fct_officer_shift_blockfaces AS a "
        "JOIN marts.dim_blockfaces AS b USING (blockface_id) "
        "WHERE a.shift_date = ? AND a.zone_id = ? AND a.mode = ? ORDER BY a.officer_id, a.first_read_at",
        [yesterday, meta["zone_id"], meta["mode"]])
    zone_total = int(serving.query("SELECT count(*) AS n FROM marts.dim_blockfaces WHERE zone_id = ? AND NOT is_unknown",
                                   [meta["zone_id"]])["n"].iloc[0])
except Exception as exc:  # an older snapshot without the mart: show the plan alone
    actual, zone_total = pd.DataFrame(), 0
    st.caption(f"Yesterday's tracks unavailable: {exc}")

fig = go.Figure()
for off, g in s.sort_values(["officer_id", "seq"]).groupby("officer_id"):
    fig.add_trace(go.Scatter(x=g["lon"], y=g["lat"], mode="lines+markers", name=f"plan · {off}",
                             marker={"size": 4 + 10 * g["expected_violations"] / max(s["expected_violations"].max(), 1e-9)},
                             customdata=g[["blockface_id", "expected_violations"]].to_numpy(),
                             hovertemplate="%{customdata[0]}<br>expected %{customdata[1]:.2f}<extra></extra>"))
for off, g in actual.groupby("officer_id") if len(actual) else []:
    fig.add_trace(go.Scatter(x=g["lon"], y=g["lat"], mode="lines", name=f"{yesterday:%a} actual · {off}",
                             line={"dash": "dot", "width": 1}))
fig.update_layout(height=520, margin={"l": 0, "r": 0, "t": 10, "b": 0}, xaxis_title="longitude", yaxis_title="latitude")
fig.update_yaxes(scaleanchor="x", scaleratio=1.38)  # ~1/cos(latitude) in southern Ontario
st.plotly_chart(fig)
st.caption("Map: each planned stop (marker size = expected violations) and yesterday's shifts in the same zone "
           "(dotted: the blockfaces read on, in the order first read). Alt text: line chart of longitude against latitude.")

planned_bf = set(s["blockface_id"])
if len(actual) and zone_total:
    actual_bf = set(actual.loc[actual["in_shift_zone"].fillna(False), "blockface_id"])
    c = st.columns(3)
    c[0].metric("Zone blockfaces covered by the plan", f"{100 * len(planned_bf) / zone_total:.0f}%")
    c[1].metric(f"Covered {yesterday:%a} (actual)", f"{100 * len(actual_bf) / zone_total:.0f}%")
    c[2].metric("Planned but not driven yesterday", f"{len(planned_bf - actual_bf):,}")

st.subheader("Stops", anchor=False)
show = s.sort_values(["officer_id", "seq"])[["officer_id", "seq", "blockface_id", "arrival", "expected_violations",
                                              "expected_violations_lo", "expected_violations_hi", "expected_revenue",
                                              "required", "reason"]].copy()
show["arrival"] = pd.to_datetime(show["arrival"]).dt.strftime("%H:%M")
st.dataframe(show.rename(columns={"officer_id": "Officer", "seq": "#", "blockface_id": "Blockface",
                                  "arrival": "Arrive", "expected_violations": "Expected",
                                  "expected_violations_lo": "Low (80%)", "expected_violations_hi": "High (80%)",
                                  "expected_revenue": "Expected $", "required": "Required", "reason": "Why"}),
             hide_index=True)

st.subheader("Export to the handheld", anchor=False)
officer = st.selectbox("Officer", meta["officer_ids"])
one = route_plan(stops, officers, summary, plan_id, officer)
d1, d2 = st.columns(2)
ui.download_button("GPX", to_gpx(one), where=d1, file_name=f"route_{plan_id}_{officer}.gpx", mime="application/gpx+xml")
ui.download_button("GeoJSON", json.dumps(to_geojson(one)), where=d2, file_name=f"route_{plan_id}_{officer}.geojson",
                   mime="application/geo+json")
ui.source_caption(["routing/plans (nightly asset route_plans_next_day)", "marts.fct_officer_shift_blockfaces",
                   "marts.dim_blockfaces"], info)
