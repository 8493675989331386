"""The ci city (simulated and through `civic pipeline run`, the shared ci_city fixture):
the published bylaw case marts reconcile with what the simulator wrote -- cases by outcome,
notices by type, fines and payments, remediation cost and recovery -- and carry no
complainant identity."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

BYLAW_MARTS = ("fct_case_lifecycle", "fct_case_status_history", "fct_bylaw_sla_monthly", "fct_bylaw_case_aging",
               "fct_bylaw_order_compliance_monthly", "fct_bylaw_officer_productivity_monthly",
               "fct_bylaw_fines_monthly", "fct_bylaw_remediation_works", "fct_bylaw_cost_per_case",
               "fct_bylaw_complaint_trends", "fct_bylaw_emerging_issues")


def latest_records(data_dir: Path, source: str, key: str) -> dict[str, dict]:
    """The simulator's files, read independently of the pipeline: valid rows (not a listed
    defect), the latest delivery of each key (files in day order, rows in file order)."""
    gt = data_dir / "ground_truth"
    with open(gt / "defects.csv", newline="") as fh:
        bad = {(r["file"], int(r["row_number"])) for r in csv.DictReader(fh)}
    out: dict[str, dict] = {}
    folder = data_dir / "landing" / source
    for f in sorted(folder.iterdir()) if folder.exists() else []:
        with open(f, newline="") as fh:
            for n, rec in enumerate(csv.DictReader(fh), start=1):
                if (f.name, n) not in bad:
                    out[rec[key]] = rec
    return out


@pytest.fixture(scope="module")
def city(ci_city):
    truth = json.loads((ci_city / "ground_truth" / "expected_counts.json").read_text())["totals"]
    return ci_city, truth


@pytest.fixture
def snap(city):
    con = duckdb.connect(str(city[0] / "serving" / "civic_serving.duckdb"), read_only=True)
    con.execute("SET TimeZone = 'America/Toronto'")
    yield con
    con.close()


def rows(con, sql):
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def test_bylaw_marts_are_published(snap):
    tables = {r["table_name"] for r in rows(snap, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'")}
    assert set(BYLAW_MARTS) <= tables


def test_cases_by_outcome_and_status_reconcile(city, snap):
    data_dir, truth = city
    cases = latest_records(data_dir, "bylaw_cases", "case_id")
    assert len(cases) == truth["cases_opened"] > 0
    want = Counter(c["outcome"] or None for c in cases.values())
    got = Counter({r["outcome"]: r["n"] for r in rows(snap, "SELECT outcome, count(*) AS n FROM marts.fct_case_lifecycle GROUP BY 1")})
    assert got == want
    closed = {k for k, c in cases.items() if c["status"] == "closed"}
    got_closed = {r["case_id"] for r in rows(snap, "SELECT case_id FROM marts.fct_case_lifecycle WHERE current_status = 'closed'")}
    assert got_closed == closed and len(closed) == truth["cases_closed"]
    # every history starts at received and ends at the lifecycle's current status
    bad = rows(snap, """
        SELECT l.case_id FROM marts.fct_case_lifecycle AS l
        LEFT JOIN marts.fct_case_status_history AS f ON f.case_id = l.case_id AND f.status_seq = 1
        LEFT JOIN marts.fct_case_status_history AS c ON c.case_id = l.case_id AND c.is_current
        WHERE f.status IS DISTINCT FROM 'received' OR c.status IS DISTINCT FROM l.current_status""")
    assert not bad


def test_notices_by_type_reconcile(city, snap):
    data_dir, truth = city
    notices = latest_records(data_dir, "notices", "notice_id")
    assert len(notices) == truth["notices"] > 0
    want = Counter(n["notice_type"] for n in notices.values())
    [life] = rows(snap, "SELECT sum(compliance_notices) AS cn, sum(orders_to_comply) AS oc, sum(fines_issued) AS f "
                        "FROM marts.fct_case_lifecycle")
    assert (life["cn"], life["oc"], life["f"]) == (want["compliance_notice"], want["order_to_comply"],
                                                   want["amp"] + want["part_i_ticket"])
    comp = Counter({r["notice_type"]: r["n"] for r in rows(
        snap, "SELECT notice_type, sum(notices_issued) AS n FROM marts.fct_bylaw_order_compliance_monthly GROUP BY 1")})
    assert comp == Counter({t: want[t] for t in ("compliance_notice", "order_to_comply") if want[t]})
    fines = {r["notice_type"]: r for r in rows(snap, "SELECT notice_type, sum(fines_issued) AS n, sum(amount_issued) AS amount "
                                                      "FROM marts.fct_bylaw_fines_monthly GROUP BY 1")}
    for t in ("amp", "part_i_ticket"):
        issued = [n for n in notices.values() if n["notice_type"] == t]
        assert (fines[t]["n"] if t in fines else 0) == len(issued)
        assert (fines[t]["amount"] if t in fines else 0) == pytest.approx(sum(float(n["fine_amount"]) for n in issued))


def test_money_reconciles(city, snap):
    data_dir, truth = city
    works = latest_records(data_dir, "remediation_works", "work_id")
    pays = latest_records(data_dir, "bylaw_fine_payments", "payment_id")
    assert len(works) == truth["remediation_works"] and len(pays) == truth["fine_payments"]
    [w] = rows(snap, "SELECT count(*) AS n, coalesce(sum(cost), 0) AS cost, coalesce(sum(recovered_amount), 0) AS rec "
                     "FROM marts.fct_bylaw_remediation_works")
    assert w["n"] == len(works)
    assert w["cost"] == pytest.approx(truth["remediation_cost_total"])
    assert w["rec"] == pytest.approx(truth["remediation_recovered_total"])
    [f] = rows(snap, "SELECT coalesce(sum(payments), 0) AS n, coalesce(sum(amount_collected), 0) AS amount FROM marts.fct_bylaw_fines_monthly")
    assert f["n"] == len(pays) and f["amount"] == pytest.approx(truth["fine_payments_total"])
    [c] = rows(snap, "SELECT sum(remediation_cost) AS cost FROM marts.fct_case_lifecycle")
    assert c["cost"] == pytest.approx(truth["remediation_cost_total"])
    # cost per case covers every closed case once
    [k] = rows(snap, "SELECT sum(cases_closed) AS n FROM marts.fct_bylaw_cost_per_case")
    assert k["n"] == truth["cases_closed"]


def test_complaints_reconcile_and_no_identity_is_published(city, snap):
    data_dir, truth = city
    [t] = rows(snap, "SELECT sum(complaints) AS n FROM marts.fct_bylaw_complaint_trends")
    assert t["n"] == truth["complaints"]
    calls = latest_records(data_dir, "calls_311", "call_id")
    names = {c["caller_name"] for c in calls.values() if c["caller_name"]}
    phones = {c["caller_phone"] for c in calls.values() if c["caller_phone"]}
    portal = [r for f in sorted((data_dir / "landing" / "open311_requests").iterdir()) for r in json.loads(f.read_text())]
    emails = {r["email"] for r in portal if r.get("email")}
    assert names and phones and emails  # the simulator did write identities
    cols = rows(snap, "SELECT table_name, column_name FROM information_schema.columns "
                      "WHERE table_schema = 'marts' AND data_type = 'VARCHAR'")
    needles = sorted(names)[:20] + sorted(phones)[:20] + sorted(emails)[:20]
    for c in cols:
        if c["table_name"] not in BYLAW_MARTS + ("fct_complaints",):
            continue
        values = {r["v"] for r in rows(snap, f'SELECT DISTINCT "{c["column_name"]}" AS v FROM marts."{c["table_name"]}"')}
        assert not (values & set(needles)), c
        assert not any(n in str(v) for v in values for n in needles), c
