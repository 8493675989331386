"""The contracts: bad rows are quarantined with their reason, never dropped."""

import json

import duckdb
import pandas as pd

from helpers import deliver
from data_contracts.sources import SOURCES, source
from data_contracts.validate import build_suite
from warehouse.config import paths
from warehouse.ingest import ingest_files, landing_files


def _quarantine(data_dir, name):
    return duckdb.connect().execute(
        f"SELECT _row_number, reason, record FROM read_parquet('{data_dir}/lake/_quarantine/{name}/*.parquet') ORDER BY 1"
    ).fetchall()


def _landed(data_dir, name):
    return duckdb.connect().execute(
        f"SELECT * FROM read_parquet('{data_dir}/lake/{name}/*/*.parquet', hive_partitioning=false) ORDER BY _row_number"
    ).df()


def test_every_source_has_a_suite_with_an_expectation_per_required_field():
    for src in SOURCES.values():
        suite = build_suite(src)
        not_null = {e.column for e in suite.expectations if e.expectation_type == "expect_column_values_to_not_be_null"}
        assert not_null == {f.name for f in src.fields if f.required}, src.name


def test_bad_csv_rows_are_quarantined_with_reasons(data_dir):
    deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-30.csv",
            "payment_id,ticket_number,paid_at,amount,channel,reference\n"
            "P1,T1,2026-10-30T10:00:00-04:00,30.00,online,abc\n"
            "P2,T2,2026-13-45T99:00,30.00,online,\n"
            "P3,T3,2026-10-30T23:30:00-04:00,-5,cash,\n"
            "P4,,2026-10-31T01:00:00Z,15,mail,\n"
            "P5,T5,2026-10-30T11:00:00-04:00\n"
            "P6,T6,2026-10-31T03:30:00Z,45.5,ivr,\n")
    p = paths()
    [batch] = ingest_files(p, "ticket_payments", landing_files(p, "ticket_payments"))
    assert (batch.rows_in, batch.landed, batch.quarantined) == (6, 2, 4)
    q = _quarantine(data_dir, "ticket_payments")
    assert [r[0] for r in q] == [2, 3, 4, 5]
    assert "paid_at: not a valid timestamp" in q[0][1]
    assert "amount: below the minimum 0.01" in q[1][1] and "channel: not one of the allowed values" in q[1][1]
    assert q[2][1] == "ticket_number: required value missing"
    assert q[3][1].startswith("malformed CSV row")
    assert json.loads(q[1][2])["channel"] == "cash"  # the record is kept as delivered
    landed = _landed(data_dir, "ticket_payments")
    assert list(landed["payment_id"]) == ["P1", "P6"]
    # P6 was paid 23:30 local on the 30th: the lake files it under that local day.
    days = sorted(d.name for d in (data_dir / "lake" / "ticket_payments").iterdir())
    assert days == ["day=2026-10-30"]


def test_malformed_json_line_is_quarantined_not_dropped(data_dir):
    good = {"read_id": "R1", "plate": "ABCD 123", "region": "ON", "confidence": 0.93,
            "captured_at": "2026-10-30T09:00:00-04:00", "lat": 43.45, "lon": -80.49,
            "camera_id": "C1", "unit_id": "U1", "officer_id": "O1", "image_ref": "img/1.jpg"}
    lines = [json.dumps(good), '{"read_id": "R2", "plate": ', json.dumps({**good, "read_id": "R3", "plate": "??"}),
             json.dumps({**good, "read_id": "R4", "lat": 123.4})]
    deliver(data_dir, "alpr_reads", "alpr_reads_2026-10-30.jsonl", "\n".join(lines) + "\n")
    p = paths()
    [batch] = ingest_files(p, "alpr_reads", landing_files(p, "alpr_reads"))
    assert (batch.rows_in, batch.landed, batch.quarantined) == (4, 1, 3)
    reasons = {r[0]: r[1] for r in _quarantine(data_dir, "alpr_reads")}
    assert reasons[2].startswith("malformed JSON line")
    assert reasons[3] == "plate: does not match the expected pattern"
    assert reasons[4] == "lat: outside -90..90"


def test_unreadable_open311_file_is_kept_whole_in_quarantine(data_dir):
    deliver(data_dir, "open311_requests", "open311_requests_2026-10-30.json", '[{"service_request_id": "1", ')
    p = paths()
    [batch] = ingest_files(p, "open311_requests", landing_files(p, "open311_requests"))
    assert (batch.rows_in, batch.landed, batch.quarantined) == (1, 0, 1)
    [(rn, reason, record)] = _quarantine(data_dir, "open311_requests")
    assert rn == 0 and reason.startswith("file is not valid JSON") and record.startswith('[{"service_request_id"')


def test_invalid_geometry_is_quarantined(data_dir):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"zone_id": "Z1", "name": "Downtown"},
         "geometry": {"type": "Polygon", "coordinates": [[[-80.5, 43.4], [-80.4, 43.4], [-80.4, 43.5], [-80.5, 43.4]]]}},
        {"type": "Feature", "properties": {"zone_id": "Z2", "name": "Bowtie"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}},
    ]}
    deliver(data_dir, "zones", "zones_2026-10-30.geojson", json.dumps(fc))
    p = paths()
    [batch] = ingest_files(p, "zones", landing_files(p, "zones"))
    assert (batch.landed, batch.quarantined) == (1, 1)
    [(rn, reason, _)] = _quarantine(data_dir, "zones")
    assert rn == 2 and reason.startswith("invalid geometry")
    landed = _landed(data_dir, "zones")
    assert landed["geometry"][0].startswith("POLYGON") and abs(landed["_centroid_lat"][0] - 43.433) < 0.01


def test_naive_local_times_are_city_time_and_dst_safe(data_dir):
    src = source("calls_311")
    header = ",".join(src.field_names)
    rows = ["C1,2026-07-01 12:00:00,Noise,phone,1 King St,43.45,-80.49,loud,false,,",
            "C2,2026-11-01 01:30:00,Noise,phone,1 King St,43.45,-80.49,repeated hour,true,,"]
    deliver(data_dir, "calls_311", "calls_311_2026-11-01.csv", "\n".join([header, *rows]) + "\n")
    p = paths()
    ingest_files(p, "calls_311", landing_files(p, "calls_311"))
    landed = _landed(data_dir, "calls_311")
    ts = pd.to_datetime(landed["received_at"], utc=True)
    assert ts[0] == pd.Timestamp("2026-07-01T16:00:00Z")  # EDT
    assert ts[1] == pd.Timestamp("2026-11-01T06:30:00Z")  # the repeated hour taken as EST
    assert list(landed["anonymous"]) == [False, True]
