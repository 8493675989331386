"""Shift analytics and operations marts on a hand-made warehouse: every figure below is
worked out by hand from the raw rows (dbt in a subprocess, as in test_dbt_build.py)."""

from __future__ import annotations

import shutil
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest

import helpers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_fixture import REPO_ROOT, build_golden_warehouse, fetch, insert_rows  # noqa: E402

PROJECT = REPO_ROOT / "dbt_project"
UTC = timezone.utc
# These marts and everything upstream; tests only when all their parents are built
# (so models other work adds beside fct_tickets do not need to build here).
SELECT = ["+fct_officer_shift_comparisons", "+fct_officer_shift_tickets_by_type", "+fct_revenue_daily",
          "+fct_occupancy_hourly", "+fct_meter_uptime_daily", "+fct_meter_faults", "+fct_pricing_changes",
          "+fct_daily_kpis"]


def run_dbt(warehouse: Path, work: Path, *args: str) -> None:
    helpers.run_dbt(warehouse, work, *args, salt="pytest-salt")


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s).astimezone(UTC)


def L(day: str, row: int = 1, batch: str = "b1", landed: str | None = None) -> dict:
    return {"_batch_id": batch, "_source_file": f"x_{day}", "_row_number": row, "_delivered_on": date.fromisoformat(day),
            "_landed_at": ts(landed or f"{day}T23:00:00+00:00")}


BF = {"BF1": (43.45000, -80.49000), "BF2": (43.46000, -80.49000), "BF3": (43.47000, -80.49000)}


def read(rid, plate, bf, at, officer, unit="U1", row=1, day=None, landed=None):
    lat, lon = BF[bf]
    day = day or at[:10]
    return {"read_id": rid, "plate": plate, "region": "ON", "confidence": 0.95, "captured_at": ts(at),
            "lat": lat + 0.00002, "lon": lon - 0.00002, "camera_id": "C1", "unit_id": unit, "officer_id": officer,
            **L(day, row, landed=landed)}


def ticket(tid, at, officer, source, vtype, fine, plate, bf="BF1", row=1):
    return {"ticket_number": tid, "issued_at": ts(at), "officer_id": officer, "bylaw_code": "PS-1", "violation_type": vtype,
            "fine_amount": fine, "plate": plate, "province": "ON", "lat": BF[bf][0], "lon": BF[bf][1],
            "street_address": "1 King St", "blockface_id": bf, "issue_method": "windshield",
            "detection_source": source, **L(at[:10], row)}


def shift(sid, officer, start, end, zone, mode, unit=None, row=1):
    return {"shift_id": sid, "officer_id": officer, "shift_start": ts(start), "shift_end": ts(end), "zone_id": zone,
            "mode": mode, "unit_id": unit, **L(start[:10], row)}


def golden_rows(con) -> None:
    insert_rows(con, "zones", [
        {"zone_id": z, "name": z, "geometry": "POLYGON EMPTY", "_centroid_lat": 43.45, "_centroid_lon": -80.49, **L("2025-06-01", i)}
        for i, z in enumerate(["Z1", "Z2"], 1)])
    insert_rows(con, "blockfaces", [
        {"blockface_id": b, "zone_id": z, "street": "King St", "side": "N", "spaces": sp, "paid": paid,
         "geometry": "LINESTRING EMPTY", "_centroid_lat": BF[b][0], "_centroid_lon": BF[b][1], **L("2025-06-01", i)}
        for i, (b, z, sp, paid) in enumerate([("BF1", "Z1", 10, True), ("BF2", "Z1", 30, False), ("BF3", "Z2", 20, True)], 1)])
    insert_rows(con, "meters", [
        {"meter_id": "M1", "blockface_id": "BF1", "zone_id": "Z1", "spaces": 10, "rate_per_hour": 2.0, "max_minutes": 120,
         "installed_on": date(2020, 1, 1), "lat": 43.45, "lon": -80.49, **L("2025-06-01", 1)},
        {"meter_id": "M2", "blockface_id": "BF3", "zone_id": "Z2", "spaces": 20, "rate_per_hour": 2.5, "max_minutes": 120,
         "installed_on": date(2020, 1, 1), "lat": 43.47, "lon": -80.49, **L("2025-06-01", 2)}])
    insert_rows(con, "officers", [
        {"officer_id": o, "badge_number": f"B{o}", "unit": "parking", "active": True, **L("2025-06-01", i)}
        for i, o in enumerate(["O1", "O2", "O3"], 1)])
    # Monday 06-02 and Monday 06-09 (EDT, UTC-4)
    insert_rows(con, "shifts", [
        shift("SHa", "O1", "2025-06-02T12:00:00+00:00", "2025-06-02T20:00:00+00:00", "Z1", "alpr", "U1", 1),
        shift("SHb", "O2", "2025-06-02T20:00:00+00:00", "2025-06-03T03:00:00+00:00", "Z2", "alpr", "U1", 2),
        shift("SHc", "O1", "2025-06-09T12:00:00+00:00", "2025-06-09T20:00:00+00:00", "Z1", "alpr", "U1", 1),
        shift("SHd", "O3", "2025-06-09T13:00:00+00:00", "2025-06-09T21:00:00+00:00", "Z1", "foot", None, 2),
        shift("SHe", "O3", "2025-06-10T13:00:00+00:00", "2025-06-10T21:00:00+00:00", None, "bylaw", None, 1),
    ])
    insert_rows(con, "alpr_reads", [
        read("r1", "AAA111", "BF1", "2025-06-02T12:30:00+00:00", "O1", row=1),
        read("r2", "AAA 111", "BF1", "2025-06-02T14:30:00+00:00", "O1", row=2),
        read("r3", "BBB222", "BF1", "2025-06-02T12:40:00+00:00", "O1", row=3),
        read("r4", "CCC333", "BF2", "2025-06-02T13:00:00+00:00", "O1", row=4),
        read("r5", "DDD444", "BF3", "2025-06-02T21:00:00+00:00", "O2", row=5),
        read("r6", "EEE555", "BF3", "2025-06-02T21:10:00+00:00", "O2", row=6),
        read("r7", "FFF666", "BF1", "2025-06-02T20:30:00+00:00", "O2", row=7),
        read("r8", "GGG777", "BF1", "2025-06-09T12:30:00+00:00", "O1", row=1),
        read("r9", "HHH888", "BF1", "2025-06-09T12:35:00+00:00", "O1", row=2),
    ])
    insert_rows(con, "handheld_tickets", [
        ticket("TKa1", "2025-06-02T13:00:00+00:00", "O1", "alpr", "expired_meter", 30.0, "AAA111", row=1),
        ticket("TKa2", "2025-06-02T14:00:00+00:00", "O1", "alpr", "no_permit", 50.0, "BBB222", row=2),
        ticket("TKc1", "2025-06-09T13:00:00+00:00", "O1", "alpr", "expired_meter", 30.0, "GGG777", row=1),
        ticket("TKd1", "2025-06-09T14:00:00+00:00", "O3", "manual", "expired_meter", 30.0, "JJJ000", row=2),
        ticket("TKd2", "2025-06-09T15:00:00+00:00", "O3", "manual", "overtime", 40.0, "KKK000", row=3),
        ticket("TKx", "2025-06-09T21:00:00+00:00", "O1", "alpr", "expired_meter", 30.0, "LLL000", row=4),
    ])
    insert_rows(con, "pbp_vendor_a_sessions", [
        {"session_id": "S1", "plate_number": "AAA111", "province": "ON", "zone_code": "Z1",
         "start_time_utc": ts("2025-06-02T13:00:00+00:00"), "end_time_utc": ts("2025-06-02T14:00:00+00:00"),
         "amount_cents": 250, "payment_method": "app", **L("2025-06-02")},
        {"session_id": "S2", "plate_number": "ZZZ999", "province": "ON", "zone_code": "Z1",
         "start_time_utc": ts("2025-06-09T13:00:00+00:00"), "end_time_utc": ts("2025-06-09T14:00:00+00:00"),
         "amount_cents": 500, "payment_method": "web", **L("2025-06-09")}])
    insert_rows(con, "pbp_vendor_b_sessions", [
        {"transactionId": "T1", "licensePlate": "DDD444", "jurisdiction": "ON", "locationNumber": "Z2",
         "startDateTime": ts("2025-06-02T21:00:00+00:00"), "durationMinutes": 60, "totalAmount": 3.75,
         "channel": "phone", **L("2025-06-02")}])
    insert_rows(con, "meter_events", [
        {"event_id": "E1", "meter_id": "M1", "event_type": "payment_card", "occurred_at": ts("2025-06-02T15:00:00+00:00"), "amount": 2.0, "detail": "60", **L("2025-06-02", 1)},
        {"event_id": "E2", "meter_id": "M2", "event_type": "payment_coin", "occurred_at": ts("2025-06-02T16:00:00+00:00"), "amount": 1.0, "detail": "30", **L("2025-06-02", 2)},
        {"event_id": "E3", "meter_id": "M1", "event_type": "fault", "occurred_at": ts("2025-06-02T16:00:00+00:00"), "detail": "JAM", **L("2025-06-02", 3)},
        {"event_id": "E4", "meter_id": "M1", "event_type": "repair", "occurred_at": ts("2025-06-02T22:00:00+00:00"), "detail": "JAM", **L("2025-06-02", 4)},
        {"event_id": "E5", "meter_id": "M1", "event_type": "rate_change", "occurred_at": ts("2025-06-05T09:00:00+00:00"), "amount": 3.0, **L("2025-06-05", 1)},
        {"event_id": "E6", "meter_id": "M1", "event_type": "payment_card", "occurred_at": ts("2025-06-06T15:00:00+00:00"), "amount": 6.0, "detail": "120", **L("2025-06-06", 1)},
    ])
    insert_rows(con, "ticket_payments", [
        {"payment_id": "PAY1", "ticket_number": "TKa1", "paid_at": ts("2025-06-03T13:00:00+00:00"), "amount": 30.0, "channel": "online", **L("2025-06-03", 1)},
        {"payment_id": "PAY2", "ticket_number": "NOPE", "paid_at": ts("2025-06-03T14:00:00+00:00"), "amount": 20.0, "channel": "mail", **L("2025-06-03", 2)},
    ])


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_shift_ops")
    wh = build_golden_warehouse(work, golden_rows, run_dbt, "build", "--select", *SELECT,
                                "--indirect-selection", "cautious", "--exclude", "test_type:unit")
    return wh, work


def shifts(wh) -> dict[str, dict]:
    return {r["shift_id"]: r for r in fetch(wh, "SELECT * FROM marts.fct_officer_shifts")}


def test_shift_figures(golden):
    s = shifts(golden[0])
    assert set(s) == {"SHa", "SHb", "SHc", "SHd"}  # the bylaw shift is not parking enforcement
    a = s["SHa"]
    # reads r1-r4: 4 reads, 3 vehicles (AAA111 twice); BF1 + BF2 = all 40 spaces of Z1
    assert (a["plates_scanned"], a["vehicles_observed"], a["blockfaces_passed"]) == (4, 3, 2)
    assert a["route_coverage_pct"] == pytest.approx(100.0)
    assert (a["violations_detected"], a["tickets_issued"], a["fines_issued"]) == (2, 2, 80.0)
    assert a["detection_rate_pct"] == pytest.approx(50.0)
    assert a["compliance_rate_pct"] == pytest.approx(100 * (1 - 2 / 3))
    b = s["SHb"]  # the evening shift of the same unit: r5-r7 (r7 on BF1 in Z1, not its zone)
    assert (b["plates_scanned"], b["blockfaces_passed"], b["zone_blockfaces_passed"]) == (3, 2, 1)
    assert b["route_coverage_pct"] == pytest.approx(100.0)  # BF3 = all of Z2
    assert (b["violations_detected"], b["detection_rate_pct"], b["compliance_rate_pct"]) == (0, 0.0, 100.0)
    c = s["SHc"]
    assert (c["plates_scanned"], c["violations_detected"]) == (2, 1)  # TKx after the shift does not count
    assert c["route_coverage_pct"] == pytest.approx(25.0)  # BF1: 10 of 40
    d = s["SHd"]
    assert (d["mode"], d["enforcement_type"], d["plates_scanned"], d["route_coverage_pct"]) == ("foot", "manual", None, None)
    assert (d["violations_detected"], d["tickets_issued"], d["tickets_manual"]) == (2, 2, 2)
    assert d["tickets_per_hour"] == pytest.approx(0.25)


def test_tickets_by_type_and_attribution(golden):
    wh = golden[0]
    rows = {(r["shift_id"], r["violation_type"]): r["tickets"] for r in
            fetch(wh, "SELECT * FROM marts.fct_officer_shift_tickets_by_type")}
    assert rows == {("SHa", "expired_meter"): 1, ("SHa", "no_permit"): 1, ("SHc", "expired_meter"): 1,
                    ("SHd", "expired_meter"): 1, ("SHd", "overtime"): 1}
    outside = fetch(wh, "SELECT ticket_id FROM intermediate.int_tickets_attributed_to_shifts WHERE shift_id IS NULL")
    assert outside == [{"ticket_id": "TKx"}]


def test_comparisons(golden):
    rows = {(r["shift_id"], r["metric"]): r for r in
            fetch(golden[0], "SELECT * FROM marts.fct_officer_shift_comparisons")}
    assert len(rows) == 3 * 7 + 3  # three ALPR shifts x 7 metrics, the foot patrol x 3
    a = rows[("SHa", "plates_scanned")]  # team of 06-02: SHa 4 and SHb 3; zone Z1: SHa only; no earlier Monday
    assert (a["team_day_avg"], a["team_day_shifts"], a["team_day_delta"]) == (3.5, 2, 0.5)
    assert (a["weekday_avg"], a["weekday_shifts"], a["zone_avg"], a["zone_shifts"]) == (None, 0, 4.0, 1)
    c = rows[("SHc", "plates_scanned")]  # weekday: the Monday before (SHa, SHb); zone Z1 in 28 days: SHa, SHc
    assert (c["team_day_avg"], c["weekday_avg"], c["weekday_shifts"], c["weekday_delta"]) == (2.0, 3.5, 2, -1.5)
    assert (c["zone_avg"], c["zone_shifts"], c["zone_delta"]) == (3.0, 2, -1.0)
    cov = rows[("SHc", "route_coverage_pct")]
    assert (cov["weekday_avg"], cov["zone_avg"], cov["zone_delta"]) == (100.0, 62.5, -37.5)
    assert ("SHd", "plates_scanned") not in rows
    d = rows[("SHd", "tickets_issued")]
    assert (d["team_day_avg"], d["team_day_shifts"], d["weekday_shifts"]) == (2.0, 1, 0)
    assert {r["better_direction"] for k, r in rows.items() if k[1] == "route_coverage_pct"} == {"up"}


def test_shift_reads_survive_the_purge(golden, tmp_path):
    """Incremental: deleting raw reads (the retention purge) does not lower recorded
    figures, and a later read of a new shift is added."""
    wh = tmp_path / "civic.duckdb"
    shutil.copyfile(golden[0], wh)
    with duckdb.connect(str(wh)) as con:
        con.execute("DELETE FROM raw.alpr_reads")
        insert_rows(con, "shifts", [shift("SHf", "O1", "2025-06-16T12:00:00+00:00", "2025-06-16T20:00:00+00:00", "Z1",
                                          "alpr", "U1", 1) | L("2025-06-16", 1, "b9", "2025-06-17T01:00:00+00:00")])
        insert_rows(con, "alpr_reads", [read("r20", "MMM111", "BF2", "2025-06-16T13:00:00+00:00", "O1",
                                             landed="2025-06-17T01:00:00+00:00")])
    run_dbt(wh, tmp_path, "build", "--select", "stg_staff__shifts", "stg_alpr__plate_reads", "int_plate_reads_aggregated_hourly",
            "int_plate_reads_aggregated_by_shift+",
            "--indirect-selection", "cautious", "--exclude", "test_type:unit")
    s = shifts(wh)
    assert (s["SHa"]["plates_scanned"], s["SHa"]["route_coverage_pct"]) == (4, pytest.approx(100.0))
    assert s["SHc"]["plates_scanned"] == 2
    assert (s["SHf"]["plates_scanned"], s["SHf"]["route_coverage_pct"]) == (1, pytest.approx(75.0))  # BF2: 30 of 40


def test_revenue_daily(golden):
    rows = {(str(r["day"]), r["zone_id"], r["revenue_stream"], r["source"], r["channel"]): (r["transactions"], r["revenue"])
            for r in fetch(golden[0], "SELECT * FROM marts.fct_revenue_daily")}
    assert rows == {
        ("2025-06-02", "Z1", "pay_by_plate", "vendor_a", "app"): (1, 2.5),
        ("2025-06-02", "Z2", "pay_by_plate", "vendor_b", "phone"): (1, 3.75),
        ("2025-06-02", "Z1", "meter", "meters", "card"): (1, 2.0),
        ("2025-06-02", "Z2", "meter", "meters", "coin"): (1, 1.0),
        ("2025-06-06", "Z1", "meter", "meters", "card"): (1, 6.0),
        ("2025-06-03", "Z1", "ticket_payment", "ticket_payments", "online"): (1, 30.0),  # TKa1 on BF1 in Z1
        ("2025-06-03", "-1", "ticket_payment", "ticket_payments", "mail"): (1, 20.0),  # unknown ticket
        ("2025-06-09", "Z1", "pay_by_plate", "vendor_a", "web"): (1, 5.0),
    }


def test_occupancy_hourly(golden):
    rows = {(r["hour_start"].astimezone(UTC).isoformat(), r["blockface_id"]): r for r in
            fetch(golden[0], "SELECT * FROM marts.fct_occupancy_hourly")}
    bf1 = rows[("2025-06-02T12:00:00+00:00", "BF1")]
    assert (bf1["reads"], bf1["vehicles_observed"], bf1["occupancy_pct"], bf1["zone_id"]) == (2, 2, 20.0, "Z1")
    assert (bf1["hour_of_day"], bf1["weekday"], bf1["day"]) == (8, 1, date(2025, 6, 2))  # 08:00 EDT, Monday
    assert all(bf != "-1" for _, bf in rows)


def test_meter_uptime_and_faults(golden):
    wh = golden[0]
    (f,) = fetch(wh, "SELECT * FROM marts.fct_meter_faults")
    assert (f["meter_id"], f["zone_id"], f["blockface_id"], f["fault_code"]) == ("M1", "Z1", "BF1", "JAM")
    assert (f["duration_hours"], f["is_open"], f["fault_reports"]) == (6.0, False, 1)
    up = {(str(r["day"]), r["zone_id"]): r for r in fetch(wh, "SELECT * FROM marts.fct_meter_uptime_daily")}
    z1 = up[("2025-06-02", "Z1")]
    assert (z1["meters_in_service"], z1["meter_hours"], z1["fault_hours"]) == (1, 24.0, 6.0)
    assert (z1["meter_uptime_pct"], z1["faults_started"], z1["repairs"]) == (75.0, 1, 1)
    assert up[("2025-06-02", "Z2")]["meter_uptime_pct"] == 100.0
    assert min(d for d, _ in up) == "2025-06-02"  # from the first meter event


def test_pricing_change_effect(golden):
    (p,) = fetch(golden[0], "SELECT * FROM marts.fct_pricing_changes")
    assert (p["blockface_id"], p["zone_id"], p["old_rate_per_hour"], p["new_rate_per_hour"]) == ("BF1", "Z1", 2.0, 3.0)
    assert p["rate_change_pct"] == pytest.approx(50.0)
    assert p["effective_date"] == date(2025, 6, 5)
    # data: 06-02 00:00 EDT (04:00 UTC) to the end of 06-09; the change at 06-05 09:00 UTC
    assert (p["before_hours"], p["after_hours"]) == (77.0, 115.0)
    # before: meter $2 + all of Z1's sessions ($2.50; BF1 holds all 10 paid spaces of Z1)
    assert (p["meter_revenue_before"], p["session_revenue_before"]) == (2.0, 2.5)
    assert (p["meter_revenue_after"], p["session_revenue_after"]) == (6.0, 5.0)
    before, after = 4.5 / (10 * 77), 11.0 / (10 * 115)
    assert p["revenue_per_space_hour_before"] == pytest.approx(before, abs=1e-6)
    assert p["revenue_per_space_hour_after"] == pytest.approx(after, abs=1e-6)
    assert p["revenue_per_space_hour_change_pct"] == pytest.approx(100 * (after / before - 1), abs=1e-4)
    # occupancy of BF1 (10 spaces): before 20 % (06-02 12h UTC: AAA111, BBB222), 10 % (14h:
    # AAA111) and 10 % (20h: FFF666); after 20 % (06-09 12h)
    assert p["occupancy_before_pct"] == pytest.approx(40 / 3, abs=1e-6) and p["observed_hours_before"] == 3
    assert (p["occupancy_after_pct"], p["observed_hours_after"]) == (20.0, 1)
    assert p["occupancy_change_pts"] == pytest.approx(20 - 40 / 3, abs=1e-6)


def test_no_plates_in_the_new_marts(golden):
    wh = golden[0]
    for table in ("fct_officer_shifts", "fct_officer_shift_comparisons", "fct_officer_shift_tickets_by_type",
                  "fct_revenue_daily", "fct_occupancy_hourly", "fct_meter_uptime_daily", "fct_meter_faults",
                  "fct_pricing_changes"):
        text = repr(fetch(wh, f"SELECT * FROM marts.{table}"))
        for plate in ("AAA111", "AAA 111", "BBB222", "GGG777", "JJJ000", "ZZZ999"):
            assert plate not in text, (table, plate)
