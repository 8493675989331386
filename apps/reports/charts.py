"""A report table's chart: the plotly figure (the page shows it, the PDF prints it) and
its text alternative, written from the same numbers.

Static images come from plotly's own exporter (kaleido), which drives a local Chromium:
no network. One browser serves a whole report (``render_pngs``).
"""

from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path

import pandas as pd
import plotly.colors
import plotly.graph_objects as go

from apps.reports import privacy
from apps.reports.content import Report, Table

log = logging.getLogger(__name__)
MARGIN = {"l": 60, "r": 20, "t": 50, "b": 60}
CHART_TIMEOUT_S = 90
_KALEIDO_LOCK = threading.Lock()


def _numbers(table: Table, column: str) -> pd.Series:
    """The column as numbers; withheld cells (``<5``) and blanks as missing."""
    return pd.to_numeric(table.frame[column].map(lambda v: None if privacy.is_withheld(v) else v), errors="coerce")


def _pretty(v: object) -> str:
    return str(v).replace("_", " ")


def alt_text(table: Table, report: Report) -> str:
    """One or two sentences a screen reader (or a reader of the printed agenda) can use in
    place of the chart: what it plots and its largest values."""
    ch = table.chart
    if ch is None:
        return ""
    y_label = table.label(ch.y).lower()
    x_label = table.label(ch.x).lower()
    values = _numbers(table, ch.y)
    frame = table.frame.assign(_v=values)
    withheld = int(table.frame[ch.y].map(privacy.is_withheld).sum())
    tail = f" {withheld} value(s) withheld (fewer than {report.min_count})." if withheld else ""
    if frame["_v"].notna().sum() == 0:
        return f"{ch.title}, {report.period.label}: no data to plot.{tail}"
    if ch.kind == "line":
        known = frame[frame["_v"].notna()]
        first, last = known.iloc[0], known.iloc[-1]
        peak = known.loc[known["_v"].idxmax()]
        return (f"Line chart of {y_label} by {x_label} from {first[ch.x]} to {last[ch.x]}: "
                f"{_fmt(first['_v'])} in {first[ch.x]}, {_fmt(last['_v'])} in {last[ch.x]}, "
                f"highest {_fmt(peak['_v'])} in {peak[ch.x]}.{tail}")
    grouped = frame.groupby(ch.x, sort=False)["_v"].sum(min_count=1).dropna().sort_values(ascending=False)
    parts = [f"{_pretty(k)} {_fmt(v)}" for k, v in grouped.head(6).items()]
    more = f", and {len(grouped) - 6} more" if len(grouped) > 6 else ""
    kind = "Map of wards shaded by" if ch.kind == "ward_map" else "Bar chart of"
    by = "" if ch.kind == "ward_map" else f" by {x_label}"
    return f"{kind} {y_label}{by}, {report.period.label}: " + ", ".join(parts) + more + f".{tail}"


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 100 else f"{v:,.2f}"


def figure(table: Table, report: Report) -> go.Figure | None:
    """The table's chart as a plotly figure, or None when it has none or nothing to plot."""
    ch = table.chart
    if ch is None or table.frame.empty:
        return None
    frame = table.frame.assign(_v=_numbers(table, ch.y))
    if frame["_v"].notna().sum() == 0:
        return None
    if ch.kind == "ward_map":
        fig = _ward_map(frame, table, report)
        if fig is None:  # no ward boundaries in the warehouse: bars by ward instead
            fig = go.Figure(go.Bar(x=frame[ch.x].map(_pretty), y=frame["_v"], marker_color="#1f5f8b"))
    elif ch.kind == "line":
        fig = go.Figure(go.Scatter(x=frame[ch.x], y=frame["_v"], mode="lines+markers", line={"color": "#1f5f8b"}))
    elif ch.color:
        fig = go.Figure()
        for name, part in frame.groupby(ch.color, sort=False):
            fig.add_bar(name=_pretty(name), x=part[ch.x].map(_pretty), y=part["_v"])
        fig.update_layout(barmode="stack")
    else:
        fig = go.Figure(go.Bar(x=frame[ch.x].map(_pretty), y=frame["_v"], marker_color="#1f5f8b"))
    if ch.kind != "ward_map":
        fig.update_xaxes(title_text=table.label(ch.x))
        fig.update_yaxes(title_text=table.label(ch.y), rangemode="tozero",
                         tickprefix="$" if table.units.get(ch.y) == "$" else None)
    fig.update_layout(title={"text": f"{ch.title} — {report.period.label}", "font": {"size": 15}},
                      margin=MARGIN, template="plotly_white", font={"family": "Helvetica, Arial, sans-serif"},
                      legend={"orientation": "h", "y": -0.25})
    return fig


def _ward_map(frame: pd.DataFrame, table: Table, report: Report) -> go.Figure | None:
    """Ward polygons shaded by the value (plain x/y axes in degrees: no map tiles, no network)."""
    geo = report.geography
    if geo is None or geo.empty:
        return None
    from shapely import wkt

    ch = table.chart
    values = dict(zip(frame[ch.x], frame["_v"]))
    raw = dict(zip(frame[ch.x], frame[ch.y]))
    known = [v for v in values.values() if pd.notna(v)]
    lo, hi = (min(known), max(known)) if known else (0.0, 1.0)
    fig = go.Figure()
    for ward, geom_wkt in zip(geo["ward"], geo["geometry_wkt"]):
        geom = wkt.loads(geom_wkt)
        v = values.get(ward)
        shade = "#e5e5e5" if v is None or pd.isna(v) else plotly.colors.sample_colorscale(
            "Blues", [0.15 + 0.85 * ((v - lo) / (hi - lo) if hi > lo else 1.0)])[0]
        polys = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
        for poly in polys:
            xs, ys = poly.exterior.coords.xy
            fig.add_trace(go.Scatter(x=list(xs), y=list(ys), fill="toself", fillcolor=shade, mode="lines",
                                     line={"color": "#333333", "width": 1}, showlegend=False, hoverinfo="skip"))
        c = geom.representative_point()
        shown = raw[ward] if privacy.is_withheld(raw.get(ward)) else ("—" if v is None or pd.isna(v) else _fmt(v))
        fig.add_annotation(x=c.x, y=c.y, text=f"<b>{ward}</b><br>{shown}", showarrow=False, font={"size": 12},
                           bgcolor="rgba(255,255,255,0.85)", borderpad=3)  # readable on any shade
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.35)  # ~1/cos(43.5°N): wards not squashed
    return fig


def render_pngs(figures: list[go.Figure], width: int = 900, height: int = 430) -> list[bytes]:
    """Each figure as PNG (2x scale), all through one headless Chromium started by plotly's
    exporter (kaleido) for the batch; raises ``ChartRenderError`` when it cannot run."""
    if not figures:
        return []
    import kaleido

    with _KALEIDO_LOCK, tempfile.TemporaryDirectory(prefix="civic-charts-") as tmp:
        paths = [Path(tmp) / f"chart-{i:03d}.png" for i in range(len(figures))]
        jobs = [{"fig": fig, "path": str(path), "opts": {"format": "png", "width": width, "height": height, "scale": 2}}
                for fig, path in zip(figures, paths)]
        try:
            kaleido.write_fig_from_object_sync(jobs, kopts={"timeout": CHART_TIMEOUT_S}, cancel_on_error=True)
        except Exception as exc:  # noqa: BLE001 - kaleido/choreographer raise several kinds when Chromium fails
            raise ChartRenderError(f"plotly's image export (kaleido, a local Chromium) failed: "
                                   f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            raise ChartRenderError(f"plotly's image export wrote no {', '.join(missing)}")
        return [p.read_bytes() for p in paths]


class ChartRenderError(RuntimeError):
    """Charts could not be turned into images."""
