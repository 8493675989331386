"""The street network of enforcement routing: directed blockfaces with travel times.

A blockface is one side of one block. A patrol reads (or walks) a blockface by driving
along it with the kerb on its right (right-hand traffic), so every blockface is a directed
arc with a start point and an end point. Two blockfaces connect when the end of one is
within ``CIVIC_ROUTING_CONNECT_M`` metres of the start of the next (the turn at an
intersection, or a U-turn onto the opposite kerb, which pays ``CIVIC_ROUTING_UTURN_S``).

Travel times follow the patrol speed ``CIVIC_PATROL_SPEED_KMH``. ``travel_times`` gives
the solver's matrix: seconds from the END of blockface i to the START of blockface j along
the fastest chain of blockfaces (shortest paths over the directed graph).

Sources: the GIS extract the simulator writes (``landing/blockfaces/blockfaces_*.geojson``
under a data directory, contract ``blockfaces`` in data_contracts/sources.py), or a city's
own GeoJSON: a FeatureCollection of LineStrings, one per blockface, with at least a
``blockface_id`` property.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

DEFAULT_SPEED_KMH = 15.0  # an ALPR car cruising while it reads both kerbs
DEFAULT_CONNECT_M = 40.0
DEFAULT_UTURN_S = 30.0
DEFAULT_DETOUR = 1.5
M_PER_DEG_LAT = 111_132.0

# Regulation columns of the network table and their defaults when a city's file lacks them.
REGULATION_DEFAULTS = {
    "zone_id": "",
    "street": "",
    "side": "",
    "paid": False,
    "time_limit_minutes": np.nan,
    "permit_area_id": "",
    "school_zone_id": "",
    "rush_hour_route": False,
    "snow_route": False,
}
_SIDE_VECTORS = {"N": (0.0, 1.0), "S": (0.0, -1.0), "E": (1.0, 0.0), "W": (-1.0, 0.0)}


def env_float(name: str, default: float) -> float:
    """A float from the environment, or ``default`` when unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r} is not a number") from exc


def patrol_speed_kmh() -> float:
    """The patrol speed: ``CIVIC_PATROL_SPEED_KMH`` (default 15 km/h)."""
    v = env_float("CIVIC_PATROL_SPEED_KMH", DEFAULT_SPEED_KMH)
    if v <= 0:
        raise ValueError(f"CIVIC_PATROL_SPEED_KMH must be positive, got {v}")
    return v


@dataclass
class StreetNetwork:
    """Directed blockfaces of a city and the connections between them.

    ``blockfaces``: one row per blockface, in node order (row i is node i), with
    blockface_id, zone_id, street, side, spaces, the regulations (paid,
    time_limit_minutes, permit_area_id, school_zone_id, rush_hour_route, snow_route,
    and the derived booleans permit / school_zone / time_limited), length_m,
    traverse_s, and the driving direction's start and end (lon0/lat0 -> lon1/lat1,
    x0/y0 -> x1/y1 in local metres) and midpoint (lon, lat).
    ``graph``: a networkx DiGraph on blockface ids; an edge u -> v means "after driving
    u, turn onto v", with ``connect_m`` and ``connect_s`` (the gap between them).
    """

    blockfaces: pd.DataFrame
    graph: nx.DiGraph
    speed_kmh: float
    uturn_s: float
    info: dict = field(default_factory=dict)
    _index: dict = field(default_factory=dict, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._index = {b: i for i, b in enumerate(self.blockfaces["blockface_id"].tolist())}

    @property
    def n(self) -> int:
        return len(self.blockfaces)

    def index_of(self, blockface_ids) -> np.ndarray:
        """Node indices of blockface ids (ValueError naming the unknown ones)."""
        ids = [blockface_ids] if isinstance(blockface_ids, str) else list(blockface_ids)
        missing = [b for b in ids if b not in self._index]
        if missing:
            raise ValueError(f"unknown blockface id(s): {', '.join(map(str, missing[:10]))}")
        return np.array([self._index[b] for b in ids], dtype=np.int64)

    def ids_in_zones(self, zone_ids) -> list[str]:
        """Blockface ids of the given zones, in network order."""
        zs = {zone_ids} if isinstance(zone_ids, str) else set(zone_ids)
        unknown = zs - set(self.blockfaces["zone_id"])
        if unknown:
            raise ValueError(f"unknown zone id(s): {', '.join(sorted(unknown))}")
        return self.blockfaces.loc[self.blockfaces["zone_id"].isin(zs), "blockface_id"].tolist()

    def without(self, closed_ids) -> "StreetNetwork":
        """A copy of the network with the given blockfaces removed (closures)."""
        closed = set(closed_ids)
        if not closed:
            return self
        self.index_of(sorted(closed))
        keep = ~self.blockfaces["blockface_id"].isin(closed)
        g = self.graph.copy()
        g.remove_nodes_from(closed)
        info = {**self.info, "closed": sorted(closed)}
        return StreetNetwork(self.blockfaces[keep].reset_index(drop=True), g, self.speed_kmh, self.uturn_s, info)

    def _csgraph(self):
        if "csgraph" not in self._cache:
            idx = self._index
            trav = self.blockfaces["traverse_s"].to_numpy()
            rows, cols, w = [], [], []
            for u, v, d in self.graph.edges(data=True):
                rows.append(idx[u])
                cols.append(idx[v])
                w.append(d["connect_s"] + trav[idx[v]])
            self._cache["csgraph"] = csr_matrix((np.asarray(w, dtype=float) + 1e-9, (rows, cols)), shape=(self.n, self.n))
            self._cache["rows"] = {}
        return self._cache["csgraph"]

    def _from(self, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Seconds from the end of each source blockface to the end of every blockface,
        having driven it (shortest paths over the directed graph), and the predecessors;
        computed once per source and kept."""
        g = self._csgraph()
        rows = self._cache["rows"]
        todo = sorted({int(x) for x in sources} - set(rows))
        if todo:
            dist, pred = dijkstra(g, directed=True, indices=todo, return_predecessors=True)
            for k, src in enumerate(todo):
                rows[src] = (dist[k], pred[k].astype(np.int32))
        return (np.stack([rows[int(x)][0] for x in sources]) if len(sources) else np.zeros((0, self.n)),
                np.stack([rows[int(x)][1] for x in sources]) if len(sources) else np.zeros((0, self.n), dtype=np.int32))

    def travel_times(self, from_ids=None, to_ids=None) -> np.ndarray:
        """Seconds from the END of each ``from`` blockface to the START of each ``to``
        blockface (0 on the diagonal). Pairs the directed graph cannot join (a network in
        pieces) get the straight-line distance times ``CIVIC_ROUTING_DETOUR_FACTOR``
        (default 1.5) at patrol speed; ``info['unreachable_pairs']`` counts them."""
        fi = np.arange(self.n) if from_ids is None else self.index_of(from_ids)
        ti = np.arange(self.n) if to_ids is None else self.index_of(to_ids)
        full, _ = self._from(fi)
        trav = self.blockfaces["traverse_s"].to_numpy()
        t = full[:, ti] - trav[ti][None, :]
        bad = ~np.isfinite(t)
        if bad.any():
            bf = self.blockfaces
            ex, ey = bf["x1"].to_numpy()[fi], bf["y1"].to_numpy()[fi]
            sx, sy = bf["x0"].to_numpy()[ti], bf["y0"].to_numpy()[ti]
            crow = np.hypot(ex[:, None] - sx[None, :], ey[:, None] - sy[None, :])
            detour = env_float("CIVIC_ROUTING_DETOUR_FACTOR", DEFAULT_DETOUR)
            t = np.where(bad, crow * detour / (self.speed_kmh / 3.6), t)
            self.info["unreachable_pairs"] = int(bad.sum())
        t = np.maximum(t, 0.0)
        same = fi[:, None] == ti[None, :]
        t[same] = 0.0
        return t

    def path(self, from_id: str, to_id: str) -> list[str]:
        """Blockfaces driven from the end of ``from_id`` to the end of ``to_id``, excluding
        ``from_id`` and including ``to_id`` (one hop when the network is in pieces)."""
        if from_id == to_id:
            return []
        i, j = (int(x) for x in self.index_of([from_id, to_id]))
        _, pred = self._from(np.array([i]))
        pred = pred[0]
        if pred[j] < 0:
            return [to_id]
        out = [j]
        while pred[out[-1]] != i:
            out.append(int(pred[out[-1]]))
        ids = self.blockfaces["blockface_id"].to_numpy()
        return [str(ids[k]) for k in reversed(out)]

    def distance_m(self, from_ids=None, to_ids=None) -> np.ndarray:
        """Metres matching ``travel_times`` (time x speed)."""
        return self.travel_times(from_ids, to_ids) * (self.speed_kmh / 3.6)


def _local_xy(lon: np.ndarray, lat: np.ndarray, lat0: float, lon0: float) -> tuple[np.ndarray, np.ndarray]:
    m_lon = 111_320.0 * math.cos(math.radians(lat0))
    return (lon - lon0) * m_lon, (lat - lat0) * M_PER_DEG_LAT


def _as_bool(v, field_name: str, bid: str) -> bool:
    if v is None or v == "":
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return bool(v)
    s = str(v).strip().lower()
    if s in ("true", "t", "1", "yes", "y"):
        return True
    if s in ("false", "f", "0", "no", "n"):
        return False
    raise ValueError(f"blockface {bid}: field {field_name!r} is not a boolean: {v!r}")


def _as_float(v, field_name: str, bid: str) -> float:
    if v is None or v == "":
        return float("nan")
    try:
        return float(v)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"blockface {bid}: field {field_name!r} is not a number: {v!r}") from exc


def network_from_geojson(source, *, speed_kmh: float | None = None, orient_by_side: bool = True) -> StreetNetwork:
    """Build the directed network from a GeoJSON FeatureCollection of blockfaces.

    ``source``: a path or an already parsed dict. Each feature: a LineString geometry
    (lon, lat) and properties with at least ``blockface_id``; optional ``zone_id``,
    ``street``, ``side`` (N/S/E/W: the kerb's compass side), ``spaces``, ``paid``,
    ``time_limit_minutes``, ``permit_area_id``, ``school_zone_id``, ``rush_hour_route``,
    ``snow_route`` (the simulator's extract has all of them).

    Direction: with ``orient_by_side`` and a ``side``, the arc runs so that the kerb is on
    the driver's right (right-hand traffic); otherwise the LineString's own vertex order
    is the driving direction. ``spaces`` defaults to length / 6.5 m when absent.

    Raises ValueError naming the feature and the problem for a missing or non-LineString
    geometry, a missing or duplicate blockface_id, or a value of the wrong type.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise ValueError(f"blockfaces GeoJSON not found: {path}")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    else:
        doc = source
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ValueError("blockfaces GeoJSON must be a FeatureCollection")
    feats = doc.get("features") or []
    if not feats:
        raise ValueError("blockfaces GeoJSON has no features")
    speed = patrol_speed_kmh() if speed_kmh is None else float(speed_kmh)
    if speed <= 0:
        raise ValueError(f"patrol speed must be positive, got {speed}")
    rows, coords, seen = [], [], set()
    for n, f in enumerate(feats, start=1):
        props = f.get("properties") or {}
        bid = props.get("blockface_id")
        if bid is None or str(bid).strip() == "":
            raise ValueError(f"feature {n}: missing property 'blockface_id'")
        bid = str(bid)
        if bid in seen:
            raise ValueError(f"feature {n}: duplicate blockface_id {bid}")
        seen.add(bid)
        geom = f.get("geometry")
        if not geom:
            raise ValueError(f"blockface {bid}: missing geometry")
        if geom.get("type") != "LineString":
            raise ValueError(f"blockface {bid}: geometry must be a LineString, got {geom.get('type')!r}")
        pts = geom.get("coordinates") or []
        try:
            pts = [(float(p[0]), float(p[1])) for p in pts]
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"blockface {bid}: LineString coordinates are not (lon, lat) pairs") from exc
        if len(pts) < 2:
            raise ValueError(f"blockface {bid}: LineString needs at least 2 points")
        if not all(-180 <= lo <= 180 and -90 <= la <= 90 for lo, la in pts):
            raise ValueError(f"blockface {bid}: coordinates are not WGS84 lon/lat")
        row = {"blockface_id": bid}
        for k, default in REGULATION_DEFAULTS.items():
            v = props.get(k, default)
            if isinstance(default, bool):
                row[k] = _as_bool(v, k, bid)
            elif k == "time_limit_minutes":
                row[k] = _as_float(v, k, bid)
            else:
                row[k] = "" if v is None else str(v)
        side = row["side"].strip().upper()
        if side and side not in _SIDE_VECTORS:
            raise ValueError(f"blockface {bid}: field 'side' must be N, S, E or W, got {row['side']!r}")
        row["side"] = side
        row["spaces"] = _as_float(props.get("spaces"), "spaces", bid)
        rows.append(row)
        coords.append(pts)
    lat0 = float(np.mean([p[1] for pts in coords for p in pts]))
    lon0 = float(np.mean([p[0] for pts in coords for p in pts]))
    length, x0s, y0s, x1s, y1s, lo0, la0, lo1, la1, mlon, mlat = ([] for _ in range(11))
    for row, pts in zip(rows, coords):
        lon = np.array([p[0] for p in pts])
        lat = np.array([p[1] for p in pts])
        x, y = _local_xy(lon, lat, lat0, lon0)
        seg = np.hypot(np.diff(x), np.diff(y))
        L = float(seg.sum())
        if L <= 0:
            raise ValueError(f"blockface {row['blockface_id']}: LineString has zero length")
        reverse = False
        if orient_by_side and row["side"]:
            dx, dy = x[-1] - x[0], y[-1] - y[0]
            right = (dy, -dx)  # the driver's right of the heading (dx, dy)
            sx, sy = _SIDE_VECTORS[row["side"]]
            reverse = right[0] * sx + right[1] * sy < 0
        if reverse:
            lon, lat, x, y = lon[::-1], lat[::-1], x[::-1], y[::-1]
        # midpoint along the line
        cum = np.concatenate([[0.0], np.cumsum(seg if not reverse else seg[::-1])])
        k = int(np.searchsorted(cum, L / 2, side="right") - 1)
        k = min(k, len(x) - 2)
        seg_len = cum[k + 1] - cum[k]
        u = (L / 2 - cum[k]) / seg_len if seg_len > 0 else 0.0
        mlon.append(float(lon[k] + u * (lon[k + 1] - lon[k])))
        mlat.append(float(lat[k] + u * (lat[k + 1] - lat[k])))
        length.append(L)
        x0s.append(float(x[0])); y0s.append(float(y[0])); x1s.append(float(x[-1])); y1s.append(float(y[-1]))
        lo0.append(float(lon[0])); la0.append(float(lat[0])); lo1.append(float(lon[-1])); la1.append(float(lat[-1]))
    bf = pd.DataFrame(rows)
    bf["length_m"] = length
    bf["spaces"] = np.where(np.isnan(bf["spaces"]), np.maximum(1, np.floor(bf["length_m"] / 6.5)), bf["spaces"]).astype(int)
    bf["permit"] = bf["permit_area_id"] != ""
    bf["school_zone"] = bf["school_zone_id"] != ""
    bf["time_limited"] = bf["time_limit_minutes"].notna()
    bf["traverse_s"] = bf["length_m"] / (speed / 3.6)
    bf["x0"], bf["y0"], bf["x1"], bf["y1"] = x0s, y0s, x1s, y1s
    bf["lon0"], bf["lat0"], bf["lon1"], bf["lat1"] = lo0, la0, lo1, la1
    bf["lon"], bf["lat"] = mlon, mlat
    return _connect(bf, speed)


def _connect(bf: pd.DataFrame, speed_kmh: float) -> StreetNetwork:
    connect_m = env_float("CIVIC_ROUTING_CONNECT_M", DEFAULT_CONNECT_M)
    uturn_s = env_float("CIVIC_ROUTING_UTURN_S", DEFAULT_UTURN_S)
    v = speed_kmh / 3.6
    ex, ey = bf["x1"].to_numpy(), bf["y1"].to_numpy()
    sx, sy = bf["x0"].to_numpy(), bf["y0"].to_numpy()
    hx, hy = ex - sx, ey - sy
    hn = np.hypot(hx, hy)
    hx, hy = hx / hn, hy / hn
    g = nx.DiGraph()
    ids = bf["blockface_id"].tolist()
    trav = bf["traverse_s"].to_numpy()
    for i, b in enumerate(ids):
        g.add_node(b)
    # grid buckets keep this linear in blockfaces
    cell = max(connect_m, 1.0)
    buckets: dict[tuple[int, int], list[int]] = {}
    for j in range(len(ids)):
        buckets.setdefault((int(sx[j] // cell), int(sy[j] // cell)), []).append(j)
    n_edges = 0
    for i in range(len(ids)):
        cx, cy = int(ex[i] // cell), int(ey[i] // cell)
        for ddx in (-1, 0, 1):
            for ddy in (-1, 0, 1):
                for j in buckets.get((cx + ddx, cy + ddy), ()):
                    if j == i:
                        continue
                    d = math.hypot(sx[j] - ex[i], sy[j] - ey[i])
                    if d > connect_m:
                        continue
                    s = d / v
                    if hx[i] * hx[j] + hy[i] * hy[j] < -0.9:  # reversing onto the opposite kerb
                        s += uturn_s
                    g.add_edge(ids[i], ids[j], connect_m=d, connect_s=s, path_s=s + trav[j])
                    n_edges += 1
    n_scc = nx.number_strongly_connected_components(g)
    info = {"blockfaces": len(ids), "connections": n_edges, "strongly_connected_components": n_scc,
            "speed_kmh": speed_kmh, "connect_m": connect_m}
    return StreetNetwork(bf.reset_index(drop=True), g, speed_kmh, uturn_s, info)


def blockfaces_geojson_path(data_dir) -> Path:
    """The blockfaces GIS extract the simulator (or a city's delivery) left under
    ``DATA_DIR/landing/blockfaces/`` (the latest file)."""
    folder = Path(data_dir) / "landing" / "blockfaces"
    files = sorted(folder.glob("blockfaces_*.geojson")) if folder.exists() else []
    if not files:
        raise ValueError(f"no blockfaces GeoJSON under {folder} (run the simulator or land the GIS extract)")
    return files[-1]


def network_from_data_dir(data_dir=None, *, speed_kmh: float | None = None) -> StreetNetwork:
    """The network of the city whose extracts are under ``data_dir`` (default
    ``CIVIC_DATA_DIR``, else ./data)."""
    d = data_dir or os.environ.get("CIVIC_DATA_DIR") or "data"
    return network_from_geojson(blockfaces_geojson_path(d), speed_kmh=speed_kmh)
