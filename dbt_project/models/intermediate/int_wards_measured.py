"""Each ward polygon's area (km²), measured on a local equirectangular projection about
the polygon's own centroid (exact to well under 0.1% at a city's scale). A Python model:
DuckDB has no spatial extension here."""

import math

import numpy as np
import pyarrow as pa
import shapely

SCHEMA = pa.schema([("ward", pa.string()), ("area_km2", pa.float64())])


def metres_per_degree(lat):
    """(metres per degree of longitude, of latitude) at a latitude (WGS84 series)."""
    phi = math.radians(lat)
    m_lat = 111132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    m_lon = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi) + 0.118 * math.cos(5 * phi)
    return m_lon, m_lat


def area_km2(wkt):
    """Area of a WGS84 (lon/lat) Polygon or MultiPolygon in km²; None when unreadable."""
    geom = shapely.from_wkt(wkt, on_invalid="ignore") if wkt is not None else None
    if geom is None or geom.is_empty:
        return None
    c = geom.centroid
    m_lon, m_lat = metres_per_degree(c.y)
    local = shapely.transform(geom, lambda xy: np.column_stack([(xy[:, 0] - c.x) * m_lon, (xy[:, 1] - c.y) * m_lat]))
    return local.area / 1e6


def model(dbt, session):
    dbt.config(materialized="table")
    wards = dbt.ref("stg_gis__wards").project("ward, geometry_wkt").filter("ward is not null").arrow()
    wards = wards.read_all() if hasattr(wards, "read_all") else wards  # read to the end: the connection is shared
    return pa.table({"ward": wards.column("ward").to_pylist(),
                     "area_km2": [area_km2(w) for w in wards.column("geometry_wkt").to_pylist()]}, schema=SCHEMA)
