"""MTO owner look-up responses: the PKRA/PKRD file, matching records to the ledger's
requests, idempotent import into the ops database, the `civic mto import-responses`
command, and the purge of owner records once a ticket is settled.

The requests are made by the real `create_lookup_batch` over the hand-made snapshot and
lake of test_mto_lookup_batch.py; the snapshot also gets a small
``marts.fct_ticket_lifecycle`` for the purge.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import duckdb
import pytest

from civic.cli import main as civic_main
from tickets.test_mto_lookup_batch import CANDIDATES, _snapshot
from warehouse.config import paths
from warehouse.mto import create_lookup_batch
from warehouse.mto_responses import (AUDIT_COLUMNS, import_responses, parse_detail, parse_response,
                                     purge_settled_owner_records, read_audit)

D = dt.date
NOW = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def _default_stores(monkeypatch):
    for var in ("CIVIC_OPS_DB_URL", "CIVIC_MTO_LEDGER_PATH"):
        monkeypatch.delenv(var, raising=False)


def _header(sent="261031", record_date="261102", count=0):
    return ("PKRA" + "    " + "1" + sent + f"{count:6d}" + "YN" + "261101" + record_date).ljust(200)


def _detail(plate, issued, ticket, name="", address="", postal="", make="", year="", colour="",
            code="", message="", expiry=""):
    """A PKRD line written field by field (widths of the layout in warehouse/mto_responses.py)."""
    return ("PKRD" + plate.ljust(10) + issued + ticket[:8].ljust(8) + "CHEV" + "A12345123451234" + "800101" + "M"
            + name.ljust(50) + address.ljust(40) + postal.ljust(6) + make.ljust(4) + year.ljust(2)
            + "123456".ljust(8) + "KM" + colour.ljust(3) + code.ljust(6) + message.ljust(29) + expiry.ljust(4)
            + "   " + " " * 10)


RESPONSE_LINES = [
    _header(),
    _detail("BEWL436", "261027", "PT00000001", "DOE,JOHN/DOE,JANE", "12 QUEEN ST E,S STE MARIE", "P6A1Y3",
            "CHEV", "17", "BLK", expiry="2705"),
    _detail("ABC123", "261030", "PT00000002", "ROE,RICHARD", "4 KING ST,KITCHENER", "N2G1A1", "HOND", "98",
            "WHI", "WRN262", "PLATE WAS UNATTACHED"),
    _detail("XYZ789", "261031", "PT00000004", code="ERR101", message="PLATE NOT FOUND"),
    _detail("ZZZ999", "261029", "PT00000099", "NOBODY,ASKED", "1 MAIN ST,TORONTO", "M5V1A1"),  # never requested
    _detail("WRONG1", "261027", "PT00000001", "OTHER,OWNER", "2 MAIN ST,TORONTO", "M5V1A2"),  # another plate
    _detail("ABC123", "26AB30", "PT00000002", "ROE,RICHARD"),  # malformed date
    "JUNK line that is not a record",
    "PKRZ000006",
]


def _requested(data_dir, tmp_path):
    """The candidates of test_mto_lookup_batch.py, and one batch requesting PT..01, 02 and 04."""
    _snapshot(data_dir, CANDIDATES)
    assert create_lookup_batch(tmp_path / "request.txt", batch_date="2026-10-31")["records"] == 3


def _response(tmp_path, lines=RESPONSE_LINES, name="response.txt"):
    f = tmp_path / name
    f.write_text("\n".join(lines) + "\n", encoding="ascii")
    return f


def _owner_rows():
    con = sqlite3.connect(paths().data_dir / "ops" / "ops.sqlite")
    try:
        return con.execute("SELECT * FROM mto_owner_records ORDER BY ticket_number").fetchall()
    finally:
        con.close()


def _lifecycle(statuses: dict[str, str]):
    """``marts.fct_ticket_lifecycle`` in the snapshot, with the columns the purge reads."""
    con = duckdb.connect(str(paths().serving_db))
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("CREATE OR REPLACE TABLE marts.fct_ticket_lifecycle (ticket_id VARCHAR, current_status VARCHAR, "
                "is_closed BOOLEAN, as_of_date DATE)")
    for ticket, status in statuses.items():
        con.execute("INSERT INTO marts.fct_ticket_lifecycle VALUES (?, ?, ?, DATE '2026-11-02')",
                    [ticket, status, status in ("paid", "cancelled", "written_off")])
    con.close()


def test_parse_reads_the_fields_and_reports_malformed_lines():
    parsed = parse_response("\n".join(RESPONSE_LINES))
    assert parsed["sent_date"] == D(2026, 10, 31) and parsed["record_date"] == D(2026, 11, 2)
    assert parsed["details"] == 6
    assert parsed["no_owner"] == {"ERR101": 1}
    assert [m["line"] for m in parsed["malformed"]] == [7, 8]
    assert "issue date" in parsed["malformed"][0]["reason"] and "record type" in parsed["malformed"][1]["reason"]
    first, second = parsed["records"][:2]
    assert (first.plate, first.issue_date, first.echoed_ticket) == ("BEWL436", D(2026, 10, 27), "PT000000")
    assert (first.owner_name_1, first.owner_name_2) == ("DOE,JOHN", "DOE,JANE")
    assert (first.owner_address, first.owner_city, first.owner_postal_code) == ("12 QUEEN ST E", "S STE MARIE", "P6A1Y3")
    assert (first.vehicle_make, first.vehicle_year, first.vehicle_colour, first.plate_expiry) == ("CHEV", 2017, "BLK", "2027-05")
    assert (second.vehicle_year, second.mto_code, second.mto_message) == (1998, "WRN262", "PLATE WAS UNATTACHED")
    # a trailer that disagrees with the body rejects the whole file
    with pytest.raises(ValueError, match="PKRZ"):
        parse_response("\n".join(RESPONSE_LINES[:-1] + ["PKRZ000003"]))
    with pytest.raises(ValueError, match="PKRA"):
        parse_response("\n".join(RESPONSE_LINES[1:]))
    # a line longer than the layout is malformed, not truncated
    with pytest.raises(ValueError, match="longer"):
        parse_detail(RESPONSE_LINES[1] + "X", 2, D(2026, 11, 2))


def test_import_stores_requested_owners_and_rejects_the_rest(data_dir, tmp_path):
    _requested(data_dir, tmp_path)
    summary = import_responses(_response(tmp_path), now=NOW)
    assert summary["records"] == 6 and summary["stored"] == 2 and summary["already_stored"] == 0
    assert summary["no_owner"] == {"ERR101": 1}
    assert summary["rejected"] == {"not_requested": 1, "plate_differs_from_request": 1}
    assert summary["rejected_lines"] == [{"line": 5, "reason": "not_requested"},
                                         {"line": 6, "reason": "plate_differs_from_request"}]
    assert [m["line"] for m in summary["malformed"]] == [7, 8]
    # every PKRD line is accounted for: stored, no owner, rejected or malformed (the bad date)
    assert summary["stored"] + 1 + 2 + 1 == summary["records"]

    con = sqlite3.connect(paths().data_dir / "ops" / "ops.sqlite")
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute("SELECT * FROM mto_owner_records ORDER BY ticket_number")]
    con.close()
    assert [r["ticket_number"] for r in rows] == ["PT00000001", "PT00000002"]
    assert rows[0]["request_batch_id"] == 1 and rows[0]["response_file"] == "response.txt"
    assert (rows[0]["owner_name_1"], rows[0]["owner_city"], rows[0]["owner_province"]) == ("DOE,JOHN", "S STE MARIE", "ON")
    assert rows[0]["record_date"] == "2026-11-02" and rows[0]["received_at"].startswith("2026-11-03 09:00")
    # data minimisation: no licence number, birth date or gender
    assert not any(k in rows[0] for k in ("driver_licence_number", "birth_date", "gender"))


def test_reimporting_the_same_file_changes_nothing(data_dir, tmp_path):
    _requested(data_dir, tmp_path)
    f = _response(tmp_path)
    import_responses(f, now=NOW)
    before = _owner_rows()
    again = import_responses(f, now=NOW + dt.timedelta(days=1))
    assert again["stored"] == 0 and again["already_stored"] == 2
    assert _owner_rows() == before


def test_purge_deletes_settled_tickets_only_with_an_audit(data_dir, tmp_path):
    _requested(data_dir, tmp_path)
    f = _response(tmp_path)
    import_responses(f, now=NOW)
    _lifecycle({"PT00000001": "paid", "PT00000002": "reminder_sent", "PT00000004": "cancelled"})

    result = purge_settled_owner_records(now=NOW, run_id="r1")
    assert result["records_purged"] == 1 and result["records_kept"] == 1 and result["by_status"] == {"paid": 1}
    assert [r[0] for r in _owner_rows()] == ["PT00000002"]

    audit = read_audit(paths()).to_pylist()
    assert [(a["ticket_number"], a["current_status"], a["request_batch_id"], a["records_purged"]) for a in audit] == \
        [("PT00000001", "paid", 1, 1)]
    assert audit[0]["run_id"] == "r1" and result["audit_file"].startswith(str(paths().lake / "_audit" / "mto_owner_purge"))
    # never owner data in the audit
    assert [name for name, _ in AUDIT_COLUMNS] == read_audit(paths()).column_names
    assert not any(c.startswith(("owner", "vehicle")) for c in read_audit(paths()).column_names)

    # the MTO re-sends the file: a purged owner does not come back
    again = import_responses(f, now=NOW)
    assert again["stored"] == 0 and again["rejected"]["owner_data_purged"] == 1
    assert [r[0] for r in _owner_rows()] == ["PT00000002"]

    # once the other ticket is written off, it goes too; a run with nothing to do is on record
    _lifecycle({"PT00000001": "paid", "PT00000002": "written_off"})
    assert purge_settled_owner_records(now=NOW + dt.timedelta(days=1), run_id="r2")["records_purged"] == 1
    assert _owner_rows() == []
    assert purge_settled_owner_records(now=NOW + dt.timedelta(days=2), run_id="r3")["records_purged"] == 0
    assert [(a["run_id"], a["ticket_number"]) for a in read_audit(paths()).to_pylist()] == \
        [("r1", "PT00000001"), ("r2", "PT00000002"), ("r3", None)]


def test_purge_without_a_snapshot_deletes_nothing(data_dir):
    result = purge_settled_owner_records(now=NOW)
    assert result["records_purged"] == 0 and "no serving snapshot" in result["skipped"]


def test_cli_prints_the_summary(data_dir, tmp_path, capsys):
    _requested(data_dir, tmp_path)
    capsys.readouterr()
    assert civic_main(["mto", "import-responses", str(_response(tmp_path))]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["stored"] == 2 and out["records"] == 6 and out["rejected"] == {"not_requested": 1,
                                                                            "plate_differs_from_request": 1}
    assert civic_main(["mto", "import-responses", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err


def test_dagster_asset_runs_the_purge(data_dir, tmp_path):
    import dagster as dg

    from orchestration.privacy import PRIVACY_GROUP, owner_purge_schedule
    from orchestration.privacy import purge_settled_owner_records as asset

    _requested(data_dir, tmp_path)
    import_responses(_response(tmp_path), now=NOW)
    _lifecycle({"PT00000001": "cancelled", "PT00000002": "issued"})
    result = dg.materialize([asset], instance=dg.DagsterInstance.ephemeral())
    assert result.success
    assert [r[0] for r in _owner_rows()] == ["PT00000002"]
    assert [(a["run_id"], a["current_status"]) for a in read_audit(paths()).to_pylist()] == [(result.run_id, "cancelled")]
    # scheduled on its own, in the group `civic pipeline run` leaves out
    assert asset.group_names_by_key[asset.key] == PRIVACY_GROUP
    assert owner_purge_schedule.cron_schedule == "45 3 * * *"
