"""The live check (`civic alpr check`): the golden case of every rule (golden_cases.py, the
same cases the dbt unit tests run on int_plate_reads_evaluated), against a serving snapshot
made for each case; the JSON the command prints; and one definition of the rules: the SQL
the live check renders is the SQL dbt compiles."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from helpers import run_dbt

import golden_cases as G
from enforcement.live import check_read
from enforcement.rules import RuleRenderer

SALT = "live-check-test-salt"
REPO = G.REPO


@pytest.fixture(autouse=True)
def _salt(monkeypatch):
    monkeypatch.setenv("CIVIC_PLATE_SALT", SALT)
    for k in list(os.environ):
        if k.startswith("CIVIC_") and k not in ("CIVIC_PLATE_SALT",):
            monkeypatch.delenv(k, raising=False)


def pseudonym(plate: str) -> str:
    norm = re.sub(r"[^A-Z0-9]", "", plate.upper())
    return hashlib.sha256((SALT + norm).encode()).hexdigest()[:16]


BLOCKFACE_COLUMNS = {
    "blockface_id": "VARCHAR", "zone_id": "VARCHAR", "street": "VARCHAR", "side": "VARCHAR", "spaces": "BIGINT",
    "is_paid": "BOOLEAN", "time_limit_minutes": "BIGINT", "permit_area_id": "VARCHAR", "school_zone_id": "VARCHAR",
    "is_rush_hour_route": "BOOLEAN", "is_snow_route": "BOOLEAN", "hydrant_at_m": "DOUBLE",
    "accessible_from_m": "DOUBLE", "accessible_to_m": "DOUBLE", "no_stopping_from_m": "DOUBLE",
    "no_stopping_to_m": "DOUBLE", "no_parking_from_m": "DOUBLE", "no_parking_to_m": "DOUBLE",
    "geometry_wkt": "VARCHAR", "centroid_lat": "DOUBLE", "centroid_lon": "DOUBLE",
}


def make_snapshot(path: Path, case: dict) -> Path:
    """A serving snapshot holding the case's data in schema enforcement (as the enf_* models publish it)."""
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'America/Toronto'")
    con.execute("CREATE SCHEMA enforcement")
    con.execute("CREATE TABLE enforcement.enf_blockfaces (" + ", ".join(f"{c} {t}" for c, t in BLOCKFACE_COLUMNS.items()) + ")")
    for b in G.blockface_rows():
        cols = list(b)
        con.execute(f"INSERT INTO enforcement.enf_blockfaces ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    [b[c] for c in cols])
    con.execute("CREATE TABLE enforcement.enf_payments_recent (payment_id VARCHAR, payment_source VARCHAR, "
                "plate_pseudonym VARCHAR, zone_id VARCHAR, started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ)")
    for p in case.get("payments", []):
        con.execute("INSERT INTO enforcement.enf_payments_recent VALUES (?, 'test', ?, ?, ?, ?)",
                    [p["payment_id"], pseudonym(p["plate_key"]), p["zone_id"], p["started_at"], p["ended_at"]])
    con.execute("CREATE TABLE enforcement.enf_permits_active (permit_id VARCHAR, plate_pseudonym VARCHAR, permit_type VARCHAR, "
                "permit_area_id VARCHAR, valid_from DATE, valid_to DATE, status VARCHAR)")
    for p in case.get("permits", []):
        con.execute("INSERT INTO enforcement.enf_permits_active VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [p["permit_id"], pseudonym(p["plate"]), p["permit_type"], p["permit_area_id"], p["valid_from"],
                     p["valid_to"], p["status"]])
    con.execute("CREATE TABLE enforcement.enf_exemptions_active (exemption_id VARCHAR, plate_pseudonym VARCHAR, reason VARCHAR, "
                "zone_id VARCHAR, valid_from DATE, valid_to DATE)")
    for e in case.get("exemptions", []):
        con.execute("INSERT INTO enforcement.enf_exemptions_active VALUES (?, ?, ?, ?, ?, ?)",
                    [e["exemption_id"], pseudonym(e["plate"]), e["reason"], e.get("zone_id"), e["valid_from"], e["valid_to"]])
    con.execute("CREATE TABLE enforcement.enf_unpaid_tickets (ticket_id VARCHAR, plate_pseudonym VARCHAR, issued_at TIMESTAMPTZ, "
                "settled_at TIMESTAMPTZ, amount_outstanding DOUBLE)")
    for t in case.get("tickets", []):
        con.execute("INSERT INTO enforcement.enf_unpaid_tickets VALUES (?, ?, ?, ?, ?)",
                    [t["ticket_id"], pseudonym(t["plate_key"]), t["issued_at"], t.get("settled_at"), t["amount_outstanding"]])
    con.execute("CREATE TABLE enforcement.enf_reads_recent (read_id VARCHAR, plate_pseudonym VARCHAR, blockface_id VARCHAR, "
                "captured_at TIMESTAMPTZ)")
    for r in case["reads"]:  # the day's earlier reads: the live check uses those before its read (chalk)
        if r["_blockface"]:
            con.execute("INSERT INTO enforcement.enf_reads_recent VALUES (?, ?, ?, ?)",
                        [r["read_id"], pseudonym(r["plate"]), r["_blockface"], r["captured_at"]])
    con.execute("CREATE SCHEMA meta")
    con.execute("CREATE TABLE meta.snapshot_info AS SELECT now() AS published_at, 'test' AS run_id, "
                "NULL::TIMESTAMPTZ AS data_as_of, NULL::TIMESTAMPTZ AS pipeline_started_at")
    con.close()
    return path


def _iso(ts: str) -> str:
    return ts.replace(" ", "T").replace("+00", "+00:00")


@pytest.mark.parametrize("case", G.CASES, ids=[c["name"] for c in G.CASES])
def test_golden_case_through_the_live_check(case, tmp_path, monkeypatch):
    for k, v in (case.get("vars") or {}).items():  # vars come from the environment, as in production
        monkeypatch.setenv(f"CIVIC_{k.upper()}", v)
    snap = make_snapshot(tmp_path / "serving.duckdb", case)
    renderer = RuleRenderer()
    for r in case["reads"]:
        exp = case["expect"][r["read_id"]]
        got = check_read(r["plate"], _iso(r["captured_at"]), r["lat"], r["lon"], serving_path=snap, renderer=renderer)
        assert (got["verdict"], got["violation_type"]) == exp[:2], (r["read_id"], got["reasons"])
        if len(exp) > 2:
            assert got["is_hit"] is exp[2], (r["read_id"], got)
        if got["verdict"] == "violation":
            assert got["bylaw_code"] and got["fine"] > 0 and got["reasons"][0]
        assert got["plate_pseudonym"] == pseudonym(r["plate"])


def test_cli_prints_the_verdict_as_json(tmp_path):
    case = G.CASES[0]
    snap = make_snapshot(tmp_path / "serving.duckdb", case)
    r = case["reads"][0]
    env = {**os.environ, "CIVIC_PLATE_SALT": SALT}
    out = subprocess.run([sys.executable, "-m", "civic.cli", "alpr", "check", "--plate", r["plate"], "--at",
                          "2026-10-28T10:00:00", "--lat", str(r["lat"]), "--lon", str(r["lon"]), "--snapshot", str(snap)],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["plate"] == "AAA 111" and res["at"] == "2026-10-28T10:00:00-04:00"
    assert res["blockface"]["blockface_id"] == "BF-PAID" and res["blockface"]["distance_m"] < 2
    assert (res["verdict"], res["violation_type"], res["bylaw_code"], res["fine"]) == ("violation", "meter_unpaid", "PK-207", 30.0)
    assert res["reasons"][0].startswith("no active pay-by-plate session or meter payment in zone Z1 on BF-PAID")
    assert res["rule_inputs"]["blockface"]["is_paid"] is True
    assert set(res["rule_inputs"]) >= {"covering_payment_id", "area_permit_id", "exemption_id", "chalk_first_read_at"}
    # a missing snapshot is an error with a message, not a traceback
    bad = subprocess.run([sys.executable, "-m", "civic.cli", "alpr", "check", "--plate", "X", "--lat", "43", "--lon", "-80",
                          "--snapshot", str(tmp_path / "none.duckdb")], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and "civic pipeline run" in bad.stderr


def test_configuration_comes_from_dbt_vars_and_the_environment(monkeypatch):
    from enforcement.config import load_vars, retention_hours

    v = load_vars()
    assert v["grace_minutes"] == "5" and v["violation_schedule"]["meter_unpaid"]["bylaw_code"] == "PK-207"
    assert retention_hours() == 24
    monkeypatch.setenv("CIVIC_GRACE_MINUTES", "12")
    monkeypatch.setenv("CIVIC_ALPR_RETENTION_HOURS", "48")
    assert load_vars()["grace_minutes"] == "12" and retention_hours() == 48
    assert "to_minutes(12)" in RuleRenderer().render("evaluate_plate_reads('r', 'p', 'pm', 'e', 'b', 't')")


def _squash(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def test_live_check_runs_the_sql_dbt_compiles(tmp_path):
    """One definition: dbt's compiled int_plate_reads_evaluated contains exactly the SQL the
    live check renders from the same macros for the same relations."""
    run_dbt(tmp_path / "civic.duckdb", tmp_path, "compile", "-s", "int_plate_reads_evaluated", salt=SALT)
    compiled = next((tmp_path / "target").rglob("int_plate_reads_evaluated.sql")).read_text()
    live = RuleRenderer().render("evaluate_plate_reads('reads', 'payments', 'permits', 'exemptions', 'blockfaces', 'unpaid_tickets')")
    assert len(live) > 5000
    assert _squash(live) in _squash(compiled)
