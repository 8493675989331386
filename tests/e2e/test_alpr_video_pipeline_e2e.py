"""Video to marts: the project's test video, driven along a blockface of the ci city, read by
`civic alpr video`; the next `civic pipeline run` lands its reads through the same ingestion as
the simulator's and they show up in the evaluated reads and in the occupancy mart."""

import csv
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pytest

from helpers import civic
from vision.engine import weights_dir

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (weights_dir() / "plate_detector.pt").is_file(), reason="no shipped weights")]


def _one(db_file, sql, params=()):
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        con.execute("SET TimeZone = 'America/Toronto'")
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_video_reads_land_and_reach_the_parking_marts(ci_city_copy, tmp_path):
    city = ci_city_copy
    warehouse = city / "warehouse" / "civic.duckdb"
    (bf, wkt), = _one(warehouse, "SELECT blockface_id, geometry_wkt FROM marts.dim_blockfaces "
                                 "WHERE NOT is_unknown AND spaces >= 8 ORDER BY blockface_id LIMIT 1")
    (last_day,), = _one(warehouse, "SELECT max(CAST(captured_at AS DATE)) FROM staging.stg_alpr__plate_reads")
    (x0, y0), (x1, y1) = [tuple(map(float, p.split())) for p in wkt.removeprefix("LINESTRING (").rstrip(")").split(", ")[:2]]
    start = datetime.combine(last_day, datetime.min.time(), ZoneInfo("America/Toronto")) + timedelta(hours=11, minutes=10)

    truth = json.loads(civic(city, "alpr", "render-test-video", str(tmp_path / "video")))
    seconds = truth["frames"] / truth["fps"]
    track = tmp_path / "track.csv"
    with open(track, "w", newline="") as fh:  # the patrol car drives the blockface end to end
        w = csv.writer(fh)
        w.writerow(["time", "lat", "lon"])
        for k in range(int(seconds) + 2):
            f = min(1.0, k / seconds)
            w.writerow([(start + timedelta(seconds=k)).isoformat(), y0 + (y1 - y0) * f, x0 + (x1 - x0) * f])

    before = _one(warehouse, "SELECT coalesce(sum(reads), 0) FROM marts.fct_occupancy_hourly WHERE blockface_id = ? "
                             "AND hour_local = ?", [bf, start.replace(minute=0, tzinfo=None)])[0][0]
    summary = json.loads(civic(city, "alpr", "video", truth["video"], "--track", str(track), "--list-reads", "--quiet"))
    ids = [r["read_id"] for r in summary["reads"]]
    assert summary["reads_emitted"] == len(ids) >= 3  # five cars pass; one read per pass, not per frame
    assert len(ids) <= len(truth["plates"])
    assert set(truth["plates"]) & {r["plate"].replace(" ", "") for r in summary["reads"]}, summary["reads"]

    civic(city, "pipeline", "run")
    landed = _one(warehouse, "SELECT read_id, blockface_id FROM intermediate.int_plate_reads_evaluated "
                             "WHERE read_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    assert sorted(r for r, _ in landed) == sorted(ids)
    assert {b for _, b in landed} == {bf}
    after = _one(warehouse, "SELECT coalesce(sum(reads), 0) FROM marts.fct_occupancy_hourly WHERE blockface_id = ? "
                            "AND hour_local = ?", [bf, start.replace(minute=0, tzinfo=None)])[0][0]
    assert after - before == len(ids)
