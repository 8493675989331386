"""The bylaw case state machine, read from THE definition: ``dbt_project/seeds/case_status_transitions.csv``.

The ops database refuses every status change the seed does not list (``check_transition``);
dbt tests the status history it derives against the same seed. Nothing here lists a
transition: change the CSV and both sides follow.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from data_contracts.sources import SOURCES

TRANSITIONS_CSV = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "case_status_transitions.csv"
INITIAL_STATUS = "received"
CLOSED_STATUS = "closed"

# Closure outcomes are the landed contract's (bylaw_cases.outcome), so the export never quarantines one.
OUTCOMES: tuple[str, ...] = next(f.allowed for f in SOURCES["bylaw_cases"].fields if f.name == "outcome")


@dataclass(frozen=True)
class Transition:
    from_status: str
    to_status: str
    trigger: str
    description: str


class InvalidTransition(ValueError):
    """A status change the case state machine does not allow."""

    def __init__(self, from_status: str, to_status: str, trigger: str | None = None):
        allowed = sorted({t.to_status for t in allowed_transitions() if t.from_status == from_status})
        via = f" by {trigger!r}" if trigger else ""
        super().__init__(
            f"a case cannot go from {from_status!r} to {to_status!r}{via}; from {from_status!r} it may go to: "
            f"{', '.join(allowed) or 'nowhere (final status)'} ({TRANSITIONS_CSV.name})")
        self.from_status, self.to_status, self.trigger = from_status, to_status, trigger


@functools.cache
def allowed_transitions() -> tuple[Transition, ...]:
    """Every allowed status change, in the CSV's order."""
    with open(TRANSITIONS_CSV, newline="", encoding="utf-8") as fh:
        return tuple(Transition(r["from_status"], r["to_status"], r["trigger"], r.get("description") or "")
                     for r in csv.DictReader(fh))


def statuses() -> tuple[str, ...]:
    """All statuses, the initial one first, in the order the CSV mentions them."""
    seen: dict[str, None] = {INITIAL_STATUS: None}
    for t in allowed_transitions():
        seen.setdefault(t.from_status)
        seen.setdefault(t.to_status)
    return tuple(seen)


def open_statuses() -> tuple[str, ...]:
    return tuple(s for s in statuses() if s != CLOSED_STATUS)


def transitions_from(status: str) -> tuple[Transition, ...]:
    return tuple(t for t in allowed_transitions() if t.from_status == status)


def check_transition(from_status: str, to_status: str, trigger: str | None = None) -> Transition:
    """The transition from ``from_status`` to ``to_status`` (with ``trigger`` when given), or
    ``InvalidTransition`` saying what is allowed instead."""
    for t in allowed_transitions():
        if t.from_status == from_status and t.to_status == to_status and (trigger is None or t.trigger == trigger):
            return t
    raise InvalidTransition(from_status, to_status, trigger)


def transition_by_trigger(from_status: str, triggers: tuple[str, ...] | str) -> Transition | None:
    """The transition out of ``from_status`` fired by one of ``triggers`` (None when there is none)."""
    triggers = (triggers,) if isinstance(triggers, str) else triggers
    found = [t for t in allowed_transitions() if t.from_status == from_status and t.trigger in triggers]
    return found[0] if found else None
