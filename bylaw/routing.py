"""Automatic assignment of a new case to a bylaw officer: deterministic, and explained.

Among the active bylaw officers of the roster, officers whose open caseload exceeds the
lightest caseload by more than ``CIVIC_BYLAW_WORKLOAD_SLACK`` (default 5) are passed over
(so a specialist does not drown while colleagues idle); the rest are ranked by
  1. specialty matches the case's bylaw type,
  2. home zone is the property's zone,
  3. fewest open cases,
  4. officer id (a stable tie-break).
The reason returned says which of these decided.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

WORKLOAD_SLACK_ENV = "CIVIC_BYLAW_WORKLOAD_SLACK"
DEFAULT_WORKLOAD_SLACK = 5


@dataclass(frozen=True)
class Assignment:
    officer_id: str | None
    reason: str


def _text(v) -> str | None:
    return None if v is None or (isinstance(v, float) and v != v) or str(v).strip() == "" else str(v)


def choose_officer(officers: pd.DataFrame, workload: dict[str, int], bylaw_type: str,
                   zone_id: str | None, slack: int | None = None) -> Assignment:
    """``officers``: officer_id, home_zone_id, specialty (active bylaw officers);
    ``workload``: open cases per officer."""
    if officers is None or officers.empty:
        return Assignment(None, "no active bylaw officer on the roster: left for a supervisor to assign")
    slack = int(os.environ.get(WORKLOAD_SLACK_ENV, DEFAULT_WORKLOAD_SLACK)) if slack is None else slack
    rows = [dict(officer_id=str(r["officer_id"]), zone=_text(r["home_zone_id"]), specialty=_text(r["specialty"]),
                 load=int(workload.get(str(r["officer_id"]), 0))) for _, r in officers.iterrows()]
    lightest = min(r["load"] for r in rows)
    eligible = [r for r in rows if r["load"] <= lightest + slack]
    passed_over = sorted(r["officer_id"] for r in rows if r not in eligible)
    for r in eligible:
        r["specialist"] = r["specialty"] == bylaw_type
        r["in_zone"] = zone_id is not None and r["zone"] == zone_id
    ranked = sorted(eligible, key=lambda r: (not r["specialist"], not r["in_zone"], r["load"], r["officer_id"]))
    best = ranked[0]
    why = []
    if best["specialist"]:
        why.append(f"specialty {bylaw_type}")
    if best["in_zone"]:
        why.append(f"home zone {zone_id} is the property's zone")
    why.append(f"{best['load']} open case(s)")
    rivals = [r for r in ranked[1:] if (r["specialist"], r["in_zone"]) == (best["specialist"], best["in_zone"])]
    if rivals:
        why.append("fewest among equally matched officers" if rivals[0]["load"] > best["load"]
                   else "tie on caseload broken by officer id")
    if passed_over:
        why.append(f"passed over for caseload: {', '.join(passed_over)}")
    return Assignment(best["officer_id"], f"{best['officer_id']}: " + "; ".join(why))
