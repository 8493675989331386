"""The ops database (warehouse/ops.py) on real SQLite and PostgreSQL (``CIVIC_OPS_DB_URL``): decisions and their tickets, the
double-decision error, one transaction per confirmation, and the export to landing files
that pass the sources' contracts."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from data_contracts.sources import source
from data_contracts.validate import split
from warehouse import ops
from warehouse.config import paths
from warehouse.readers import read_file

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 2, 15, 30, tzinfo=UTC)  # 10:30 EST, local day 2026-11-02


def detection(read_id="RD20261031-0000001", **kw) -> ops.Detection:
    base = dict(read_id=read_id, captured_at=dt.datetime(2026, 10, 31, 13, 5, 9, tzinfo=UTC), plate="ABCD 123",
                province="ON", violation_type="meter_unpaid", bylaw_code="PK-001", fine_amount=30.0,
                lat=43.451211, lon=-80.491389, street_address="King St (N side)", blockface_id="BF-00013",
                zone_id="Z02", image_ref=f"alpr-evidence/2026/10/31/{read_id}.jpg")
    return ops.Detection(**{**base, **kw})


@pytest.fixture
def db(data_dir, monkeypatch, ops_url):
    """The data directory's ops database: its SQLite file, or a PostgreSQL database named by
    ``CIVIC_OPS_DB_URL`` (``ops_url``'s two runs), so every ``OpsDB()`` here finds it."""
    monkeypatch.delenv(ops.OPS_DB_URL_ENV, raising=False)
    if not ops_url.startswith("sqlite"):  # SQLite: the default file under the data directory
        monkeypatch.setenv(ops.OPS_DB_URL_ENV, ops_url)
    d = ops.OpsDB()
    yield d
    d.dispose()


def test_default_location_is_sqlite_under_the_data_dir_and_the_url_wins(data_dir, monkeypatch, tmp_path):
    monkeypatch.delenv(ops.OPS_DB_URL_ENV, raising=False)
    assert ops.ops_db_url() == f"sqlite:///{(data_dir / 'ops' / 'ops.sqlite').as_posix()}"
    monkeypatch.setenv(ops.OPS_DB_URL_ENV, f"sqlite:///{tmp_path}/other.sqlite")
    assert ops.ops_db_url() == f"sqlite:///{tmp_path}/other.sqlite"


def test_confirm_writes_the_decision_and_the_ticket_with_who_and_when(db):
    d = db.confirm(detection(), "PK-101", "mail", make="Ford", model=" ", colour="Blue", now=NOW)
    assert d["decision"] == "confirmed" and d["officer_id"] == "PK-101" and d["decided_at"] == NOW
    assert d["issue_method"] == "mail" and d["ticket_number"] == "RV00000001" and d["reason"] is None
    t = db.ticket("RV00000001")
    assert t["read_id"] == "RD20261031-0000001" and t["issued_at"] == dt.datetime(2026, 10, 31, 13, 5, 9, tzinfo=UTC)
    assert (t["plate"], t["province"], t["make"], t["model"], t["colour"]) == ("ABCD 123", "ON", "Ford", None, "Blue")
    assert (t["detection_source"], t["issue_method"], t["created_at"]) == ("alpr", "mail", NOW)
    assert t["evidence_ref"] == "alpr-evidence/2026/10/31/RD20261031-0000001.jpg"
    assert t["street_address"] == "King St (N side)"
    # no photo: the evidence is the read itself
    db.confirm(detection("RD20261031-0000002", image_ref=None), "PK-101", "windshield",
               street_address="12 King St", now=NOW)
    t2 = db.ticket("RV00000002")
    assert (t2["evidence_ref"], t2["street_address"]) == ("EV-RD20261031-0000002", "12 King St")


def test_reject_needs_a_listed_reason_and_a_note_for_other(db):
    d = db.reject("RD1", "PK-102", "valid_payment_or_permit", now=NOW)
    assert (d["decision"], d["reason"], d["officer_id"], d["ticket_number"]) == (
        "rejected", "valid_payment_or_permit", "PK-102", None)
    with pytest.raises(ValueError, match="note"):
        db.reject("RD2", "PK-102", "other", "  ")
    with pytest.raises(ValueError, match="reason"):
        db.reject("RD2", "PK-102", "bad_weather")
    assert db.reject("RD2", "PK-102", "other", "plate cover", now=NOW)["reason_note"] == "plate cover"
    assert db.decided_read_ids() == {"RD1", "RD2"}


def test_deciding_twice_is_an_error_naming_the_first_decision(db, data_dir):
    db.reject("RD20261031-0000001", "PK-102", "misread_plate", now=NOW)
    other_screen = ops.OpsDB()  # a second officer's app, same database
    try:
        with pytest.raises(ops.AlreadyDecided, match="PK-102") as exc:
            other_screen.confirm(detection(), "PK-101", "windshield")
        assert exc.value.previous["decision"] == "rejected"
    finally:
        other_screen.dispose()
    assert len(db.decisions()) == 1


def test_two_officers_at_once_exactly_one_decision_wins(db):
    barrier, outcomes = threading.Barrier(4), []

    def decide(officer):
        screen = ops.OpsDB(db.url)
        barrier.wait()
        try:
            outcomes.append(screen.confirm(detection(), officer, "mail")["officer_id"])
        except ops.AlreadyDecided:
            outcomes.append("already decided")
        finally:
            screen.dispose()

    threads = [threading.Thread(target=decide, args=(f"PK-10{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes).count("already decided") == 3
    with db.engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(ops.review_tickets)).scalar() == 1


def test_a_confirmation_is_one_transaction(db):
    # The ticket cannot be written (no plate): the decision must not stay behind either.
    with pytest.raises(sa.exc.IntegrityError):
        db.confirm(detection(plate=None), "PK-101", "mail")
    assert db.decided_read_ids() == set()
    with db.engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(ops.review_tickets)).scalar() == 0
    # and the detection can still be decided
    assert db.confirm(detection(), "PK-101", "mail")["decision"] == "confirmed"


def test_decided_today_counts_from_a_given_moment(db):
    db.reject("RD1", "PK-102", "signage_issue", now=NOW - dt.timedelta(days=1))
    db.reject("RD2", "PK-102", "signage_issue", now=NOW)
    db.reject("RD3", "PK-101", "signage_issue", now=NOW + dt.timedelta(minutes=5))
    since = NOW - dt.timedelta(hours=1)
    assert [d["read_id"] for d in db.decisions(since=since)] == ["RD2", "RD3"]
    assert [d["read_id"] for d in db.decisions(since=since, officer_id="PK-101")] == ["RD3"]


def _contract_rejects(source_name, file):
    src = source(source_name)
    records = read_file(file, src).records
    records["_rid"] = range(len(records))
    landed, rejected = split(src, records)
    return landed, rejected


def test_export_writes_each_row_once_in_files_the_contracts_accept(db, data_dir):
    db.confirm(detection("RD20261031-0000001"), "PK-101", "mail", make="FORD", colour="RED, DARK", now=NOW)
    db.confirm(detection("RD20261031-0000002", province="QC", plate="QC1234"), "PK-103", "windshield", now=NOW)
    db.reject("RD20261031-0000003", "PK-102", "other", 'said "it was loading"', now=NOW)
    first = db.export_to_landing(now=NOW)
    tickets = data_dir / "landing" / "handheld_tickets" / "review_tickets_2026-11-02.csv"
    decisions = data_dir / "landing" / "review_decisions" / "review_decisions_2026-11-02.csv"
    assert first["handheld_tickets"]["file"] == str(tickets) and first["handheld_tickets"]["rows"] == 2
    assert first["review_decisions"]["file"] == str(decisions) and first["review_decisions"]["rows"] == 3

    landed, rejected = _contract_rejects("handheld_tickets", tickets)
    assert rejected.empty, rejected.to_dict("records")
    assert list(landed["ticket_number"]) == ["RV00000001", "RV00000002"]
    assert set(landed["detection_source"]) == {"alpr"} and list(landed["issue_method"]) == ["mail", "windshield"]
    assert landed.loc[0, "colour"] == "RED, DARK"
    assert landed.loc[0, "issued_at"] == dt.datetime(2026, 10, 31, 13, 5, 9, tzinfo=UTC)
    header = tickets.read_text().splitlines()[0].split(",")
    assert header == source("handheld_tickets").field_names
    landed, rejected = _contract_rejects("review_decisions", decisions)
    assert rejected.empty, rejected.to_dict("records")
    assert list(landed["decision"]) == ["confirmed", "confirmed", "rejected"]
    assert landed.loc[2, "reason_note"] == 'said "it was loading"'

    # nothing new: no file; a later decision goes to a new file, never into the first one
    before = tickets.read_bytes()
    assert db.export_to_landing(now=NOW) == {"review_decisions": {"file": None, "rows": 0},
                                             "handheld_tickets": {"file": None, "rows": 0}}
    db.confirm(detection("RD20261031-0000004"), "PK-101", "mail", now=NOW)
    again = db.export_to_landing(now=NOW + dt.timedelta(hours=1))
    assert again["handheld_tickets"]["file"].endswith("review_tickets_2_2026-11-02.csv")
    assert again["handheld_tickets"]["rows"] == again["review_decisions"]["rows"] == 1
    assert tickets.read_bytes() == before
    with db.engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(ops.ops_exports)).scalar() == 4


def test_a_failed_export_leaves_no_file_and_nothing_marked(db, data_dir, monkeypatch):
    db.confirm(detection(), "PK-101", "mail", now=NOW)

    def fail(out, text):
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        raise OSError("disk full")

    with monkeypatch.context() as m:
        m.setattr(ops, "place_file", fail)
        with pytest.raises(OSError):
            db.export_to_landing(now=NOW)
    assert not list((data_dir / "landing").rglob("*.csv"))
    # (the module-level function, as the Dagster asset calls it)
    out = ops.export_to_landing(now=NOW)
    assert out["handheld_tickets"]["rows"] == 1 and out["review_decisions"]["rows"] == 1
    assert paths().landing.joinpath("review_decisions", "review_decisions_2026-11-02.csv").exists()
