"""The wards source: a ward polygon without its ward, or with a geometry that is invalid or
not a polygon, is quarantined with the reason; the good ones land."""

import json

import duckdb

from helpers import deliver
from warehouse.config import paths
from warehouse.ingest import ingest_files, landing_files


def _feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


SQUARE = {"type": "Polygon", "coordinates": [[[-80.50, 43.44], [-80.49, 43.44], [-80.49, 43.45], [-80.50, 43.45], [-80.50, 43.44]]]}
TWO_SQUARES = {"type": "MultiPolygon", "coordinates": [
    [[[-80.48, 43.44], [-80.47, 43.44], [-80.47, 43.45], [-80.48, 43.45], [-80.48, 43.44]]],
    [[[-80.46, 43.44], [-80.45, 43.44], [-80.45, 43.45], [-80.46, 43.45], [-80.46, 43.44]]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[-80.5, 43.4], [-80.4, 43.5], [-80.4, 43.4], [-80.5, 43.5], [-80.5, 43.4]]]}


def test_bad_ward_features_are_quarantined_with_a_reason(data_dir):
    fc = {"type": "FeatureCollection", "features": [
        _feature({"ward": "Ward 1", "name": "Ward 1 - Downtown"}, SQUARE),               # 1 lands
        _feature({"name": "Nameless"}, SQUARE),                                         # 2 no ward
        _feature({"ward": "  ", "name": "Blank"}, SQUARE),                              # 3 blank ward
        _feature({"ward": "Ward 4", "name": "Bowtie"}, BOWTIE),                         # 4 self-intersecting
        _feature({"ward": "Ward 5", "name": "A point"}, {"type": "Point", "coordinates": [-80.49, 43.45]}),  # 5 not a polygon
        _feature({"ward": "Ward 6", "name": "Nothing"}, None),                          # 6 no geometry
        _feature({"ward": "Ward 7"}, TWO_SQUARES),                                      # 7 lands (name optional)
    ]}
    deliver(data_dir, "wards", "wards_2026-10-30.geojson", json.dumps(fc))
    p = paths()
    [batch] = ingest_files(p, "wards", landing_files(p, "wards"))
    assert (batch.rows_in, batch.landed, batch.quarantined) == (7, 2, 5)

    con = duckdb.connect()
    q = con.execute(f"SELECT _row_number, reason, record FROM read_parquet('{data_dir}/lake/_quarantine/wards/*.parquet') "
                    "ORDER BY 1").fetchall()
    reasons = {rn: reason for rn, reason, _ in q}
    assert sorted(reasons) == [2, 3, 4, 5, 6]
    assert reasons[2] == "ward: required value missing"
    assert reasons[3] == "ward: required value missing"
    assert reasons[4].startswith("invalid geometry: Self-intersection")
    assert reasons[5] == "invalid geometry: a Point, expected Polygon or MultiPolygon"
    assert reasons[6].startswith("invalid geometry")
    kept = {rn: json.loads(rec) for rn, _, rec in q}
    # what was delivered is kept: the fields read (a contract failure), the whole feature (a geometry the read refused)
    assert kept[2]["name"] == "Nameless" and kept[2]["geometry"].startswith("POLYGON") and "ward" not in kept[2]
    assert kept[5] == fc["features"][4] and kept[6] == fc["features"][5]
    landed = con.execute(f"SELECT ward, name, geometry, _centroid_lat, _centroid_lon, _row_number "
                         f"FROM read_parquet('{data_dir}/lake/wards/*/*.parquet', hive_partitioning=false) ORDER BY _row_number").fetchall()
    assert [(r[0], r[1], r[5]) for r in landed] == [("Ward 1", "Ward 1 - Downtown", 1), ("Ward 7", None, 7)]
    assert landed[0][2].startswith("POLYGON") and landed[1][2].startswith("MULTIPOLYGON")
    assert abs(landed[0][3] - 43.445) < 1e-9 and abs(landed[0][4] + 80.495) < 1e-9
