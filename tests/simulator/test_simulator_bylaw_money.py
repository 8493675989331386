"""The simulator's remediation works and fine payments follow the cases they belong to.

The ci world's five days are too short for a case to reach remediation (a deadline is at
least a week), so the bylaw model is lived here over 120 days of the ci world and its
records checked before delivery (which keeps only what falls inside the window)."""

from __future__ import annotations

import collections
import datetime as dt

import numpy as np
import pytest

from simulator.bylaw import ADMIN_FEE_MIN, ADMIN_FEE_PCT, REMEDIATION_COST, Bylaw
from simulator.presets import PRESETS
from simulator.timeutil import NULL_TS, Clock
from simulator.world import build_world


def _rng(*k):
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(list(k))))


@pytest.fixture(scope="module")
def lived():
    clock = Clock(dt.date(2026, 5, 1), dt.date(2026, 8, 28))
    w = build_world(PRESETS["ci"], 7, clock)
    b = Bylaw(w)
    out = collections.defaultdict(list)
    for k in range(clock.n_days):
        for name, recs in b.day(k, _rng(7, 14, k), _rng(7, 17, k)).items():
            out[name].extend(recs)
    return clock, out


def test_remediation_works_follow_remediated_cases(lived):
    clock, out = lived
    latest = {}
    for rec, day, _ in out["bylaw_cases"]:
        latest[rec["case_id"]] = rec
    works = out["remediation_works"]
    first = [r for r, _, upd in works if not upd]
    assert len(first) >= 3, "120 days should remediate a few cases"
    # every case closed as remediated has exactly one work; a work's case is remediated, or
    # still open because it closes after the 120 days
    remediated = {c for c, r in latest.items() if r["outcome"] == "remediation"}
    worked = collections.Counter(r["case_id"] for r in first)
    assert remediated <= set(worked) and max(worked.values()) == 1
    assert all(latest[c]["outcome"] == "remediation" or latest[c]["status"] == "open" for c in worked)
    for rec, day, upd in works:
        case = latest[rec["case_id"]]
        lo, hi = REMEDIATION_COST[case["bylaw_type"]]
        assert lo + ADMIN_FEE_MIN <= rec["cost"] <= hi + max(ADMIN_FEE_MIN, hi * ADMIN_FEE_PCT) + 0.01
        assert rec["roll_number"] == case["roll_number"] != ""
        if case["closed_at"] != NULL_TS:
            assert rec["ordered_at"] < case["closed_at"]
        if rec["completed_at"] != NULL_TS:
            assert rec["ordered_at"] < rec["completed_at"]
            assert case["closed_at"] == NULL_TS or rec["completed_at"] <= case["closed_at"]
        if rec["invoiced_at"] != NULL_TS:
            assert rec["invoiced_at"] > rec["completed_at"] != NULL_TS
        if rec["recovered_amount"] is not None:
            assert rec["recovered_amount"] <= rec["cost"] and rec["recovered_at"] > rec["invoiced_at"]
        # an update shows only what happened by its delivery day
        for f in ("completed_at", "invoiced_at", "recovered_at"):
            if rec[f] != NULL_TS:
                assert clock.local_day1(rec[f]) <= day
    ids = collections.Counter(r["work_id"] for r, _, _ in works)
    assert max(ids.values()) <= 2


def test_fine_payments_pay_amps_and_part_i_tickets(lived):
    _, out = lived
    notices = {n["notice_id"]: n for n in out["notices"]}
    pays = out["bylaw_fine_payments"]
    fines = [n for n in notices.values() if n["fine_amount"] is not None]
    assert pays and fines
    paid = collections.defaultdict(float)
    for p in pays:
        n = notices[p["notice_id"]]
        assert n["notice_type"] in ("amp", "part_i_ticket") and n["case_id"] == p["case_id"]
        assert p["paid_at"] > n["issued_at"] and p["channel"] in ("online", "in_person", "mail")
        paid[p["notice_id"]] += p["amount"]
    for nid, amount in paid.items():
        assert 0 < amount <= notices[nid]["fine_amount"] + 1e-9
    assert len(paid) < len(fines), "some fines stay unpaid"
    assert len({p["payment_id"] for p in pays}) == len(pays)
