"""Each blockface's ward: the ward polygon its midpoint lies in (point in polygon).

DuckDB has no spatial extension here, so this is a Python model (shapely, STRtree): any
Polygon or MultiPolygon works, not only rectangles. A blockface's midpoint is the point
half-way along its LineString (its landed centroid when the geometry cannot be read).

- A midpoint in no ward polygon: ward 'unknown' (so is every blockface of a city that
  delivers no wards).
- A midpoint on a boundary shared by wards, or within BOUNDARY_TOLERANCE_DEG of one (the
  coordinates are rounded to ~1 cm when delivered): the ward first in natural order
  ('Ward 2' before 'Ward 10'), so the answer never depends on row order.
"""

import re

import numpy as np
import pyarrow as pa
import shapely

UNKNOWN = "unknown"
# ~1 cm: the GeoJSON extracts carry 6-7 decimals, a boundary point may land either side.
BOUNDARY_TOLERANCE_DEG = 1e-7

SCHEMA = pa.schema([("blockface_id", pa.string()), ("ward", pa.string()),
                    ("midpoint_lat", pa.float64()), ("midpoint_lon", pa.float64())])


def natural_key(text):
    """'Ward 2' < 'Ward 10': digit runs compare as numbers."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t.lower()) for t in re.split(r"(\d+)", text) if t]


def ward_polygons(wards):
    """(names, geometries) of the usable ward polygons, in natural order of name.

    ``wards``: iterable of (ward, WKT). Rows without a ward, named 'unknown' (the unknown
    member), or whose WKT is not a non-empty Polygon/MultiPolygon are left out."""
    keep = []
    for name, text in wards:
        if name is None or str(name).strip() == "" or name == UNKNOWN or text is None:
            continue
        geom = shapely.from_wkt(text, on_invalid="ignore")
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        keep.append((natural_key(str(name)), str(name), geom))
    keep.sort(key=lambda k: k[0])
    return [n for _, n, _ in keep], [g for _, _, g in keep]


def assign_wards(points, wards, tolerance=BOUNDARY_TOLERANCE_DEG):
    """The ward of each point: ``points`` are (lon, lat) pairs (None or NaN: unknown),
    ``wards`` (ward, WKT) pairs. Returns one ward name or 'unknown' per point."""
    names, geoms = ward_polygons(wards)
    n = len(points)
    out = np.full(n, UNKNOWN, dtype=object)
    if n == 0 or not geoms:
        return out.tolist()
    xy = np.array([(np.nan, np.nan) if p is None else (p[0], p[1]) for p in points], dtype="float64").reshape(n, 2)
    ok = np.flatnonzero(np.isfinite(xy).all(axis=1))
    if len(ok) == 0:
        return out.tolist()
    tree = shapely.STRtree(geoms)
    pts = shapely.points(xy[ok])
    if tolerance and tolerance > 0:
        hit_pt, hit_ward = tree.query(pts, predicate="dwithin", distance=tolerance)
    else:
        hit_pt, hit_ward = tree.query(pts, predicate="intersects")
    best = np.full(len(ok), len(geoms), dtype=np.int64)  # tree order is natural order: lowest wins
    np.minimum.at(best, hit_pt, hit_ward)
    found = best < len(geoms)
    out[ok[found]] = np.array(names, dtype=object)[best[found]]
    return out.tolist()


def midpoints(wkts, centroid_lon, centroid_lat):
    """(lon, lat) half-way along each line (a centroid for other shapes; the given
    centroid when the WKT is missing, empty or unreadable; None when there is neither)."""
    out = []
    for text, clon, clat in zip(wkts, centroid_lon, centroid_lat):
        geom = shapely.from_wkt(text, on_invalid="ignore") if text is not None else None
        if geom is not None and not geom.is_empty:
            if geom.geom_type in ("LineString", "MultiLineString", "LinearRing"):
                p = shapely.line_interpolate_point(geom, 0.5, normalized=True)
            else:
                p = geom.centroid
            out.append((p.x, p.y))
        elif clon is not None and clat is not None and np.isfinite(clon) and np.isfinite(clat):
            out.append((float(clon), float(clat)))
        else:
            out.append(None)
    return out


def arrow_table(relation):
    """All of a DuckDB relation as an Arrow table (read to the end: the connection is shared)."""
    out = relation.arrow()
    return out.read_all() if hasattr(out, "read_all") else out


def model(dbt, session):
    dbt.config(materialized="table")
    bf = arrow_table(dbt.ref("stg_gis__blockfaces").project("blockface_id, geometry_wkt, centroid_lon, centroid_lat")
                     .filter("blockface_id is not null"))
    wards = arrow_table(dbt.ref("stg_gis__wards").project("ward, geometry_wkt"))
    pts = midpoints(bf.column("geometry_wkt").to_pylist(), bf.column("centroid_lon").to_pylist(),
                    bf.column("centroid_lat").to_pylist())
    ward = assign_wards(pts, zip(wards.column("ward").to_pylist(), wards.column("geometry_wkt").to_pylist()))
    return pa.table({
        "blockface_id": bf.column("blockface_id").to_pylist(),
        "ward": ward,
        "midpoint_lat": [None if p is None else p[1] for p in pts],
        "midpoint_lon": [None if p is None else p[0] for p in pts],
    }, schema=SCHEMA)
