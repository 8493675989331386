"""Bylaw case lifecycle and case analytics marts on a hand-made warehouse: the golden cases
(tests/dbt/bylaw_golden_cases.py, one per lifecycle path) run through the real models, and
every figure below is worked out by hand from those rows (dbt in a subprocess, as in
test_dbt_build.py)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timezone
from pathlib import Path

import pytest


sys.path.insert(0, str(Path(__file__).resolve().parent))
import bylaw_golden_cases as G  # noqa: E402
from raw_fixture import REPO_ROOT, fetch  # noqa: E402

UTC = timezone.utc
MARTS = G.MARTS
IDENTITY = ["Zebulon", "Quarrington", "519-555-0199", "ophelia.reporterson@example.com", "Ophelia", "Reporterson"]


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Path:
    return G.build_warehouse(tmp_path_factory.mktemp("bylaw_dbt"))


def q(wh, sql):
    return fetch(wh, sql)


def test_unit_test_yml_is_generated_from_the_golden_cases():
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "tests" / "dbt" / "bylaw_golden_cases.py"), "--check"])
    assert proc.returncode == 0, "run: python tests/dbt/bylaw_golden_cases.py"


def test_every_golden_case_follows_its_path(wh):
    got = {r["case_id"]: r for r in q(wh, "SELECT * FROM marts.fct_case_lifecycle")}
    assert set(got) == {c["case"]["case_id"] for c in G.CASES}
    for c in G.CASES:
        r = got[c["case"]["case_id"]]
        assert r["status_path"] == " > ".join(s for s, _, _ in c["path"]), c["name"]
        assert r["current_status"] == c["path"][-1][0], c["name"]
        assert r["outcome"] == c["case"]["outcome"], c["name"]
    hist = q(wh, "SELECT case_id, status_seq, status, trigger, entered_at FROM marts.fct_case_status_history ORDER BY 1, 2")
    for c in G.CASES:
        rows = [h for h in hist if h["case_id"] == c["case"]["case_id"]]
        assert [(h["status"], h["trigger"], h["entered_at"].astimezone(UTC)) for h in rows] == \
               [(s, t, G.parse_ts(at)) for s, t, at in c["path"]], c["name"]


def test_lifecycle_measures_and_sla(wh):
    r = {x["case_id"]: x for x in q(wh, "SELECT * FROM marts.fct_case_lifecycle")}
    # G2: opened 06-01 14:00, inspected 06-03 14:00 -> 2 days (target 5: met); closed 06-03 18:00
    assert r["G2"]["days_to_first_inspection"] == pytest.approx(2.0)
    assert r["G2"]["resolution_days"] == pytest.approx(2 + 4 / 24)
    assert r["G2"]["is_inspection_sla_breached"] is False and r["G2"]["ward"] == "Ward 1"
    # G1 closed after 1 day, never inspected: no inspection breach
    assert r["G1"]["is_inspection_sla_breached"] is False
    # G8: noise/urgent targets 0.5 / 7 days; inspected after 1 day -> breached; closed after 2 days -> met
    assert (r["G8"]["sla_first_inspection_days"], r["G8"]["sla_resolution_days"]) == (0.5, 7.0)
    assert r["G8"]["is_inspection_sla_breached"] is True and r["G8"]["is_resolution_sla_breached"] is False
    assert (r["G8"]["fines_issued_amount"], r["G8"]["fines_paid_amount"]) == (300.0, 300.0)
    # G5: property_standards/standard (120 days); G3 long_grass/standard (5 / 30)
    assert r["G5"]["sla_resolution_days"] == 120.0 and r["G3"]["sla_resolution_days"] == 30.0
    # G9 is the one open case: 06-01 14:00 UTC to the end of 06-30 (07-01 04:00 UTC), reinspection due
    open_ = [x for x in r.values() if x["is_open"]]
    assert [x["case_id"] for x in open_] == ["G9"]
    assert r["G9"]["age_days"] == pytest.approx(29 + 14 / 24) and r["G9"]["aging_bucket"] == "8-30 days"
    assert r["G9"]["is_reinspection_due"] is True and r["G9"]["is_resolution_sla_breached"] is False
    assert (r["G6"]["remediation_cost"], r["G6"]["remediation_recovered"]) == (850.0, 850.0)
    aging = q(wh, "SELECT * FROM marts.fct_bylaw_case_aging")
    assert [(a["current_status"], a["aging_bucket"], a["open_cases"], a["reinspection_due"]) for a in aging] == \
           [("reinspection_due", "8-30 days", 1, 1)]


def test_order_compliance(wh):
    rows = {(r["bylaw_type"], r["notice_type"]): r for r in q(wh, "SELECT * FROM marts.fct_bylaw_order_compliance_monthly")}
    # property_standards notices: N4 complied (on its deadline day), N5a not complied, N9 pending
    ps = rows[("property_standards", "compliance_notice")]
    assert (ps["notices_issued"], ps["complied"], ps["not_complied"], ps["pending"], ps["complied_by_deadline"]) == (3, 1, 1, 1, 1)
    assert ps["compliance_rate_pct"] == 50.0
    # orders: N5b complied (after its deadline), N6 and N7a not complied
    assert rows[("property_standards", "order_to_comply")]["compliance_rate_pct"] == 100.0
    assert rows[("property_standards", "order_to_comply")]["complied_by_deadline"] == 0
    assert rows[("long_grass", "order_to_comply")]["compliance_rate_pct"] == 0.0
    assert rows[("zoning", "order_to_comply")]["not_complied"] == 1


def test_officer_productivity(wh):
    [r] = q(wh, "SELECT * FROM marts.fct_bylaw_officer_productivity_monthly")
    assert (r["officer_id"], r["month"], r["badge_number"]) == ("BY-1", date(2026, 6, 1), "K1001")
    assert (r["inspections"], r["initial_inspections"], r["re_inspections"]) == (13, 8, 5)
    assert (r["notices_issued"], r["orders_issued"], r["fines_issued"]) == (3, 3, 2)
    assert (r["cases_assigned"], r["cases_closed"]) == (9, 8)


def test_fines_issued_and_collected(wh):
    rows = {r["notice_type"]: r for r in q(wh, "SELECT * FROM marts.fct_bylaw_fines_monthly")}
    assert set(rows) == {"amp", "part_i_ticket"}
    amp, p1 = rows["amp"], rows["part_i_ticket"]
    assert (amp["fines_issued"], amp["amount_issued"], amp["amount_collected_of_issued"], amp["fully_paid"]) == (1, 300.0, 300.0, 1)
    assert (p1["amount_issued"], p1["amount_collected"], p1["partly_paid"], p1["collection_rate_pct"]) == (500.0, 300.0, 1, 60.0)


def test_remediation_and_cost_per_case(wh):
    [w] = q(wh, "SELECT * FROM marts.fct_bylaw_remediation_works")
    assert (w["work_id"], w["bylaw_type"], w["ward"], w["cost"], w["recovered_amount"], w["outstanding_amount"]) == \
           ("W6", "long_grass", "Ward 1", 850.0, 850.0, 0.0)
    assert w["recovery_status"] == "recovered" and w["days_invoice_to_recovery"] == pytest.approx(7.0)
    cost = {r["bylaw_type"]: r for r in q(wh, "SELECT * FROM marts.fct_bylaw_cost_per_case")}
    # long_grass: G3 = 1 h + 1 inspection x 1.5 h = 2.5 h; G6 = 1 + 2 x 1.5 + 1 notice = 5 h; 7.5 h x $62 = $465
    lg = cost["long_grass"]
    assert (lg["cases_closed"], lg["officer_hours"], lg["officer_cost"], lg["remediation_unrecovered"]) == (2, 7.5, 465.0, 0.0)
    assert lg["cost_per_case"] == 232.5
    assert "property_standards" in cost and "G9" not in str(cost)  # open cases are not costed


def test_complaint_trends_year_over_year(wh):
    rows = {(r["month"], r["request_type"], r["ward"]): r for r in q(wh, "SELECT * FROM marts.fct_bylaw_complaint_trends")}
    noise = rows[(date(2026, 6, 1), "Noise", "Ward 1")]
    assert (noise["complaints"], noise["complaints_prior_year"], noise["yoy_change"], noise["yoy_change_pct"]) == (13, 1, 12, 1200.0)
    graffiti = rows[(date(2026, 6, 1), "Graffiti", "Ward 1")]
    assert (graffiti["complaints"], graffiti["complaints_prior_year"], graffiti["yoy_change_pct"]) == (5, 4, 25.0)


def test_emerging_issues(wh):
    rows = {(r["dimension"], r["dimension_value"]): r for r in q(wh, "SELECT * FROM marts.fct_bylaw_emerging_issues")}
    noise = rows[("request_type", "Noise")]
    # the first complaint (2025-06-09, a Graffiti one) falls inside week 55: weeks 4..54 are
    # the complete baseline weeks (51); Noise had one a week in weeks 4..23 plus 2025-06-15 (week 54)
    assert (noise["recent_complaints"], noise["baseline_weeks"], noise["baseline_complaints"]) == (12, 51, 21)
    assert noise["baseline_mean"] == pytest.approx(21 / 51)
    assert noise["baseline_sd"] == pytest.approx(((21 - 21 * 21 / 51) / 50) ** 0.5)
    assert noise["status"] == "emerging"
    assert rows[("request_type", "Graffiti")]["status"] == "normal"  # 1 a week, as always
    assert rows[("request_type_ward", "Noise | Ward 1")]["status"] == "emerging"


def test_no_complainant_identity_in_any_mart(wh):
    """No mart has an identity-like column, and no value of any text column of any mart
    holds a complainant's name, phone or e-mail (they are in raw)."""
    cols = q(wh, "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'marts'")
    assert {c["table_name"] for c in cols} >= set(MARTS) | {"fct_complaints"}
    bad = [c for c in cols if any(k in c["column_name"].lower() for k in ("name", "phone", "email", "caller"))
           and c["column_name"] not in ("badge_number",)]
    assert not [c for c in bad if c["column_name"] != "dimension_value"], bad
    raw_names = q(wh, "SELECT count(*) AS n FROM raw.calls_311 WHERE caller_name = 'Zebulon Quarrington'")
    assert raw_names[0]["n"] > 0  # the identity really is in the source
    for c in cols:
        if c["data_type"] != "VARCHAR":
            continue
        for needle in IDENTITY:
            hits = q(wh, f"SELECT count(*) AS n FROM marts.{c['table_name']} WHERE \"{c['column_name']}\" ILIKE '%{needle}%'")
            assert hits[0]["n"] == 0, (c, needle)
