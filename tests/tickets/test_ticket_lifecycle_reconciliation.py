"""The ticket lifecycle on the simulated ci city, against the simulator's ground truth.

Simulate ci -> `civic pipeline run` -> the lifecycle marts reconcile with the landing files
(amounts paid per ticket, cancellations, one current status per ticket), the status counts
are plausible, the schedule run far into the future sends every unpaid ticket to plate
denial and no paid one, and the MTO look-up batch asks for the open mailed Ontario tickets
once.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from helpers import civic, run_dbt

pytestmark = pytest.mark.slow

OPEN_NOTICE_STATUSES = {"reminder_sent", "demand_sent", "plate_denied"}




def _truth_rows(data_dir: Path, source: str) -> list[dict]:
    """Rows of a landed CSV source as the simulator meant them: no defect rows, no re-deliveries."""
    skip = set()
    for name in ("defects.csv", "duplicates.csv"):
        with open(data_dir / "ground_truth" / name, newline="") as fh:
            skip |= {(r["file"], int(r["row_number"])) for r in csv.DictReader(fh) if r["source"] == source}
    rows = []
    for f in sorted((data_dir / "landing" / source).glob("*.csv")):
        with open(f, newline="") as fh:
            for n, r in enumerate(csv.DictReader(fh), start=1):
                if (f.name, n) not in skip:
                    rows.append(r)
    return rows


@pytest.fixture(scope="module")
def city(ci_city_copy):
    # a copy: the MTO look-up test writes its ledger into the data directory
    return ci_city_copy


@pytest.fixture(scope="module")
def snap(city):
    con = duckdb.connect(str(city / "serving" / "civic_serving.duckdb"), read_only=True)
    con.execute("SET TimeZone = 'America/Toronto'")
    yield con
    con.close()


def _lifecycle(con) -> dict[str, dict]:
    cur = con.execute("SELECT * FROM marts.fct_ticket_lifecycle")
    cols = [d[0] for d in cur.description]
    return {r[0]: dict(zip(cols, r)) for r in cur.fetchall()}


def test_every_simulated_ticket_has_one_lifecycle_row_and_one_current_state(city, snap):
    tickets = {t["ticket_number"] for t in _truth_rows(city, "handheld_tickets")}
    life = _lifecycle(snap)
    assert set(life) == tickets
    current = dict(snap.execute(
        "SELECT ticket_id, count(*) FROM marts.fct_ticket_status_history WHERE is_current GROUP BY 1").fetchall())
    assert current == {t: 1 for t in tickets}
    as_of = snap.execute("SELECT max(as_of_date) FROM marts.fct_ticket_lifecycle").fetchone()[0]
    # the state on the as-of day by the documented range lookup is the current status
    on_day = dict(snap.execute(
        "SELECT ticket_id, status FROM marts.fct_ticket_status_history "
        "WHERE valid_from_date <= ? AND (valid_to_date IS NULL OR valid_to_date > ?)", [as_of, as_of]).fetchall())
    assert on_day == {t: r["current_status"] for t, r in life.items()}


def test_amounts_paid_per_ticket_equal_the_ground_truth(city, snap):
    paid = defaultdict(float)
    for p in _truth_rows(city, "ticket_payments"):
        paid[p["ticket_number"]] += float(p["amount"])
    life = _lifecycle(snap)
    assert paid, "the ci city has ticket payments"
    for ticket, row in life.items():
        assert row["amount_paid"] == pytest.approx(round(paid.get(ticket, 0.0), 2), abs=0.005), ticket
    expected = json.loads((city / "ground_truth" / "expected_counts.json").read_text())["totals"]
    assert sum(r["amount_paid"] for r in life.values()) == pytest.approx(expected["ticket_payments_total"], abs=0.01)
    assert len(life) == expected["tickets_issued"]
    fines = {t["ticket_number"]: float(t["fine_amount"]) for t in _truth_rows(city, "handheld_tickets")}
    assert all(r["fine_amount"] == pytest.approx(fines[t]) for t, r in life.items())


def test_dispute_outcomes_match_the_decisions(city, snap):
    final = {}
    for d in sorted(_truth_rows(city, "dispute_decisions"), key=lambda d: d["decided_at"]):
        final[d["ticket_number"]] = d
    disputed = {d["ticket_number"] for d in _truth_rows(city, "ticket_disputes")}
    life = _lifecycle(snap)
    assert {t for t, r in life.items() if r["is_disputed"]} == disputed
    for t in disputed:
        row = life[t]
        if t in final:
            assert row["dispute_outcome"] == final[t]["outcome"], t
            if final[t]["outcome"] == "cancelled":
                assert row["current_status"] == "cancelled" and row["amount_due"] == 0, t
            elif final[t]["outcome"] == "reduced":
                assert row["amount_due"] == pytest.approx(float(final[t]["new_amount"])), t
        else:
            assert row["dispute_outcome"] == "pending" and row["current_status"] in ("under_review", "paid"), t


def test_status_counts_are_plausible(city, snap):
    life = _lifecycle(snap)
    by_status = defaultdict(int)
    for t, r in life.items():
        by_status[r["current_status"]] += 1
        settled = r["amount_paid"] > 0 and r["amount_paid"] >= r["amount_due"] - 0.005
        # paid in full <=> status paid (cancellation aside); never paid in full and on a notice
        if r["current_status"] != "cancelled":
            assert settled == (r["current_status"] == "paid"), t
        assert not (settled and r["current_status"] in OPEN_NOTICE_STATUSES), t
        assert (r["amount_outstanding"] > 0) == (r["current_status"] not in ("paid", "cancelled", "written_off")), t
        assert r["amount_outstanding"] == pytest.approx(max(r["amount_due"] - r["amount_paid"], 0) if not r["is_closed"] else 0), t
        if r["current_status"] == "paid":
            assert r["days_to_pay"] is not None and r["days_to_pay"] >= 0, t
        # the ci city spans 5 days: nothing is old enough for a reminder (30 days)
        assert r["reminder_date"] is None and r["plate_denial_date"] is None, t
        assert not r["discount_applied"], t  # the demo city offers no early-payment discount
    assert by_status["paid"] > 0 and by_status["issued"] > 0
    assert set(by_status) <= {"issued", "partially_paid", "under_review", "dispute_upheld", "dispute_reduced",
                              "paid", "cancelled"}
    # the daily mart's last day holds the same counts
    as_of = max(r["as_of_date"] for r in life.values())
    daily = dict(snap.execute("SELECT status, tickets FROM marts.fct_ticket_lifecycle_daily WHERE day = ? AND tickets > 0",
                              [as_of]).fetchall())
    assert daily == dict(by_status)
    print("ci tickets by current status:", dict(sorted(by_status.items())))


def test_schedule_far_ahead_sends_every_unpaid_ticket_to_plate_denial(city, tmp_path):
    """Rebuild the lifecycle on a copy of the warehouse as of 2027-03-01 (var
    ticket_lifecycle_as_of): every ticket still owing money and not held by an undecided
    dispute reaches plate denial after reminder and demand; no paid ticket does."""
    wh = tmp_path / "civic.duckdb"
    shutil.copy(city / "warehouse" / "civic.duckdb", wh)
    run_dbt(wh, tmp_path, "build", "--select", "int_ticket_events_unioned+", "--exclude", "test_type:unit",
            "--vars", json.dumps({"ticket_lifecycle_as_of": "2027-03-01"}))
    con = duckdb.connect(str(wh), read_only=True)
    try:
        life = _lifecycle(con)
    finally:
        con.close()
    by_status = defaultdict(int)
    for t, r in life.items():
        by_status[r["current_status"]] += 1
        assert r["as_of_date"].isoformat() == "2027-03-01"
        owing = r["amount_outstanding"] > 0
        held = r["dispute_outcome"] == "pending"
        if owing and not held:
            assert r["current_status"] == "plate_denied", t
            assert r["reminder_date"] < r["demand_date"] < r["plate_denial_date"], t
        if r["current_status"] == "paid":
            assert r["plate_denial_date"] is None or r["paid_in_full_date"] >= r["plate_denial_date"], t
        if held:
            assert r["current_status"] == "under_review" and r["demand_date"] is None, t
    assert by_status["plate_denied"] > 0
    print("tickets by status as of 2027-03-01:", dict(sorted(by_status.items())))


def test_mto_batch_asks_for_open_mailed_ontario_tickets_once(city, snap, tmp_path):
    expected = {r[0] for r in snap.execute(
        "SELECT l.ticket_id FROM marts.fct_ticket_lifecycle l JOIN marts.fct_tickets t USING (ticket_id) "
        "WHERE t.issue_method = 'mail' AND t.province = 'ON' AND NOT l.is_closed").fetchall()}
    assert expected, "the ci city mails some tickets"
    first = json.loads(civic(city, "mto", "lookup-batch", "--out", str(tmp_path / "b1.txt")).strip().splitlines()[-1])
    from warehouse.mto import parse_batch

    sent = parse_batch((tmp_path / "b1.txt").read_text())
    assert {r["ticket_number"] for r in sent["records"]} == expected
    assert first["records"] == len(expected)
    plates = {t["ticket_number"]: re.sub(r"[^A-Z0-9]", "", t["plate"].upper()) for t in _truth_rows(city, "handheld_tickets")}
    assert all(r["plate"] == plates[r["ticket_number"]] for r in sent["records"])
    second = json.loads(civic(city, "mto", "lookup-batch", "--out", str(tmp_path / "b2.txt")).strip().splitlines()[-1])
    assert second["records"] == 0 and second["skipped"]["already_requested"] == len(expected)
    # the plates came from the lake: the snapshot's one plate in clear is the officers' review
    # queue of recent undecided detections (enforcement.enf_review_queue)
    assert snap.execute("SELECT table_schema || '.' || table_name FROM information_schema.columns "
                        "WHERE column_name = 'plate'").fetchall() == [("enforcement.enf_review_queue",)]
