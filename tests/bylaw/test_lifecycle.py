"""bylaw/lifecycle.py reads the state machine from the dbt seed and refuses anything else."""

import csv

import pytest

from bylaw import lifecycle
from data_contracts.sources import SOURCES


def test_transitions_are_the_seed_rows():
    with open(lifecycle.TRANSITIONS_CSV, newline="") as fh:
        rows = [(r["from_status"], r["to_status"], r["trigger"]) for r in csv.DictReader(fh)]
    assert [(t.from_status, t.to_status, t.trigger) for t in lifecycle.allowed_transitions()] == rows
    assert set(lifecycle.statuses()) == {"received", "investigated", "notice_issued", "order_issued",
                                         "reinspection_due", "complied", "escalated", "closed"}
    assert lifecycle.statuses()[0] == "received" and "closed" not in lifecycle.open_statuses()


def test_allowed_and_refused_changes():
    assert lifecycle.check_transition("received", "investigated").trigger == "initial_inspection"
    assert lifecycle.check_transition("reinspection_due", "order_issued", "order_to_comply")
    with pytest.raises(lifecycle.InvalidTransition, match="cannot go from 'received' to 'complied'.*investigated"):
        lifecycle.check_transition("received", "complied")
    with pytest.raises(lifecycle.InvalidTransition, match="nowhere"):
        lifecycle.check_transition("closed", "received")
    with pytest.raises(lifecycle.InvalidTransition):
        lifecycle.check_transition("investigated", "closed", trigger="closure")


def test_outcomes_are_the_contracts():
    contract = next(f.allowed for f in SOURCES["bylaw_cases"].fields if f.name == "outcome")
    assert lifecycle.OUTCOMES == contract
    assert set(lifecycle.OUTCOMES) == {"voluntary_compliance", "order_compliance", "remediation", "prosecution",
                                       "dismissed"}
