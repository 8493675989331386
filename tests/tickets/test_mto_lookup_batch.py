"""The MTO owner look-up batch: which tickets go in, the fixed-width file, the ledger that
keeps a ticket from being requested twice, and the `civic mto lookup-batch` command.

A hand-made serving snapshot (its ``enforcement.mto_lookup_candidates`` table) and lake
(``handheld_tickets`` Parquet, where the plates in clear are) stand in for the pipeline's;
the whole-pipeline case is in test_ticket_lifecycle_reconciliation.py.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import duckdb
import pytest

from civic.cli import main as civic_main
from warehouse.config import paths
from warehouse.mto import (LookupRecord, create_lookup_batch, format_batch, ledger_path, parse_batch,
                           select_batch)

D = dt.date


def _candidate(ticket, plate, province="ON", issued=D(2026, 10, 27), as_of=D(2026, 10, 31)):
    eligible = province == "ON" and bool(plate)
    return {"ticket_number": ticket, "plate": plate, "province": province, "issued_date": issued,
            "issued_at": dt.datetime.combine(issued, dt.time(12), tzinfo=dt.timezone.utc),
            "lookup_registry": "MTO_ARIS" if eligible else None,
            "not_eligible_reason": None if eligible else ("no_plate" if not plate else "out_of_province"),
            "as_of_date": as_of}


def _snapshot(data_dir, rows):
    """The serving snapshot's candidates table (no plates) and the lake's tickets (plates)."""
    db = paths(data_dir).serving_db
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA enforcement")
    con.execute("""CREATE TABLE enforcement.mto_lookup_candidates (
        ticket_number VARCHAR, issued_at TIMESTAMPTZ, issued_date DATE, province VARCHAR,
        lookup_registry VARCHAR, not_eligible_reason VARCHAR, as_of_date DATE)""")
    for r in rows:
        con.execute("INSERT INTO enforcement.mto_lookup_candidates VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [r["ticket_number"], r["issued_at"], r["issued_date"], r["province"],
                     r["lookup_registry"], r["not_eligible_reason"], r["as_of_date"]])
    con.close()
    _lake(data_dir, [(r["ticket_number"], r["plate"], r["issued_date"], 1) for r in rows])


def _lake(data_dir, tickets, batch="b1"):
    """Landed handheld tickets: (ticket_number, plate as written, delivered_on, row)."""
    folder = paths(data_dir).lake / "handheld_tickets" / f"day={tickets[0][2].isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (ticket_number VARCHAR, plate VARCHAR, _batch_id VARCHAR, _delivered_on DATE, _row_number BIGINT)")
    for i, (ticket, plate, delivered, row) in enumerate(tickets):
        con.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [ticket, plate, batch, delivered, row + i])
    con.execute(f"COPY t TO '{(folder / (batch + '.parquet')).as_posix()}' (FORMAT parquet)")
    con.close()


CANDIDATES = [
    _candidate("PT00000001", "BEWL 436"),
    _candidate("PT00000002", "ABC123", issued=D(2026, 10, 30)),
    _candidate("PT00000003", "QC1234", province="QC"),
    _candidate("PT00000004", "XYZ789", issued=D(2026, 10, 31)),
]


def test_format_is_fixed_width_with_header_and_trailer():
    text = format_batch([LookupRecord("PT00000001", "BEWL436", D(2026, 10, 27)),
                         LookupRecord("PT00000002", "ABC123", D(2026, 10, 30))], D(2026, 10, 31), "CITY")
    lines = text.splitlines()
    assert lines[0] == "PKTA    1261031000002YN"
    assert lines[1] == "PKTD" + "BEWL436   " + "261027" + "PT00000001".ljust(23) + "CITY"
    assert len(lines[1]) == len(lines[2]) == 47
    assert lines[-1] == "PKTZ000002"
    assert text.endswith("\n")
    back = parse_batch(text)
    assert back["batch_date"] == D(2026, 10, 31) and back["count"] == 2
    assert [r["ticket_number"] for r in back["records"]] == ["PT00000001", "PT00000002"]
    assert back["records"][0] == {"plate": "BEWL436", "issue_date": D(2026, 10, 27),
                                  "ticket_number": "PT00000001", "authorized_user": "CITY"}


def test_selection_skips_later_tickets_other_provinces_and_requested_ones():
    records, skipped = select_batch(CANDIDATES, {"PT00000002"}, D(2026, 10, 30))
    assert records == [LookupRecord("PT00000001", "BEWL436", D(2026, 10, 27))]
    assert skipped == {"already_requested": 1, "out_of_province": 1, "issued_after_batch_date": 1}
    no_plate = [{**_candidate("PT00000009", "ABC123"), "plate": None}]
    assert select_batch(no_plate, set(), D(2026, 10, 31))[1] == {"plate_not_in_lake": 1}
    too_long = [_candidate("PT-" + "9" * 30, "ABC123")]
    assert select_batch(too_long, set(), D(2026, 10, 31))[1] == {"does_not_fit_layout": 1}


def test_batch_then_ledger_keeps_tickets_from_being_requested_twice(data_dir, tmp_path):
    _snapshot(data_dir, CANDIDATES)
    first = create_lookup_batch(tmp_path / "b1.txt", batch_date="2026-10-30")
    assert first["records"] == 2 and first["batch_id"] == 1
    assert first["skipped"] == {"issued_after_batch_date": 1, "out_of_province": 1}
    sent = parse_batch((tmp_path / "b1.txt").read_text())
    assert [(r["ticket_number"], r["plate"]) for r in sent["records"]] == [("PT00000001", "BEWL436"), ("PT00000002", "ABC123")]
    assert sent["batch_date"] == D(2026, 10, 30)

    # the default date is the data's latest day (as_of_date), not the wall clock
    second = create_lookup_batch(tmp_path / "b2.txt")
    assert second["batch_date"] == "2026-10-31"
    assert second["records"] == 1
    assert [r["ticket_number"] for r in parse_batch((tmp_path / "b2.txt").read_text())["records"]] == ["PT00000004"]
    assert second["skipped"] == {"already_requested": 2, "out_of_province": 1}

    third = create_lookup_batch(tmp_path / "b3.txt")
    assert third["records"] == 0 and third["file"] is None and not (tmp_path / "b3.txt").exists()

    con = sqlite3.connect(ledger_path(paths()))
    assert con.execute("SELECT batch_id, records, file_name, batch_date FROM mto_lookup_batches ORDER BY 1").fetchall() == \
        [(1, 2, "b1.txt", "2026-10-30"), (2, 1, "b2.txt", "2026-10-31")]
    assert con.execute("SELECT ticket_number, batch_id FROM mto_lookup_requests ORDER BY 1").fetchall() == \
        [("PT00000001", 1), ("PT00000002", 1), ("PT00000004", 2)]
    # no plates (personal information) in the ledger
    cols = {r[1] for t in ("mto_lookup_batches", "mto_lookup_requests")
            for r in con.execute(f"PRAGMA table_info({t})").fetchall()}
    assert not any("plate" in c for c in cols)
    con.close()


def test_plate_comes_from_the_latest_delivery_in_the_lake(data_dir, tmp_path):
    _snapshot(data_dir, CANDIDATES[:1])
    # the ticket writer re-sent PT00000001 a day later with the plate corrected
    _lake(data_dir, [("PT00000001", "bewl-437", D(2026, 10, 28), 1)], batch="b2")
    create_lookup_batch(tmp_path / "b.txt")
    assert [r["plate"] for r in parse_batch((tmp_path / "b.txt").read_text())["records"]] == ["BEWL437"]


def test_never_overwrites_a_batch_file_and_a_failed_write_records_nothing(data_dir, tmp_path, monkeypatch):
    _snapshot(data_dir, CANDIDATES)
    existing = tmp_path / "sent.txt"
    existing.write_text("already sent\n")
    with pytest.raises(FileExistsError):
        create_lookup_batch(existing)
    assert existing.read_text() == "already sent\n"

    import warehouse.mto as mto

    def boom(*a, **k):
        raise OSError("disk full")

    with monkeypatch.context() as m:
        m.setattr(mto.os, "replace", boom)
        with pytest.raises(OSError):
            create_lookup_batch(tmp_path / "b1.txt")
    assert not (tmp_path / "b1.txt").exists() and not (tmp_path / ".b1.txt.tmp").exists()
    # nothing was recorded, so the next attempt requests the same tickets
    assert create_lookup_batch(tmp_path / "b1.txt")["records"] == 3


def test_cli_prints_the_summary(data_dir, tmp_path, capsys):
    _snapshot(data_dir, CANDIDATES)
    assert civic_main(["mto", "lookup-batch", "--date", "2026-10-31", "--out", str(tmp_path / "b.txt"),
                       "--authorized-user", "KITC"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["records"] == 3 and out["batch_date"] == "2026-10-31"
    assert all(r["authorized_user"] == "KITC" for r in parse_batch((tmp_path / "b.txt").read_text())["records"])
    # a second run with the same file name is refused, with a message and exit status 2
    assert civic_main(["mto", "lookup-batch", "--out", str(tmp_path / "b.txt")]) == 2
    assert "never overwritten" in capsys.readouterr().err


def test_cli_without_a_snapshot_says_so(data_dir, tmp_path, capsys):
    assert civic_main(["mto", "lookup-batch", "--out", str(tmp_path / "b.txt")]) == 2
    assert "civic pipeline run" in capsys.readouterr().err
