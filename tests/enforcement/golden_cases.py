"""Golden cases for every violation rule, run two ways from this one list:

- as dbt unit tests on int_plate_reads_evaluated (the warehouse):
  ``python tests/enforcement/golden_cases.py`` writes
  dbt_project/models/intermediate/_alpr_unit_tests.yml (a test checks it is up to date);
- through the live check (``civic alpr check``): tests/enforcement/test_live_check.py.

Blockfaces are east-west kerb lines 121 m long, 111 m apart; a read's position is given as
metres along its blockface. Times are UTC; 28 Oct 2026 is a Wednesday (EDT, UTC-4).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
YML = REPO / "dbt_project" / "models" / "intermediate" / "_alpr_unit_tests.yml"
LON0 = -80.4900
LENGTH_M = 121.2


def lon_at(lat: float, metres: float) -> float:
    return round(LON0 + metres / (111320.0 * math.cos(math.radians(lat))), 7)


BLOCKFACES = [
    {"blockface_id": "BF-PAID", "lat": 43.4500, "zone_id": "Z1", "is_paid": True, "time_limit_minutes": 120},
    {"blockface_id": "BF-LIMIT", "lat": 43.4510, "zone_id": "Z1", "is_paid": False, "time_limit_minutes": 60},
    {"blockface_id": "BF-PERMIT", "lat": 43.4520, "zone_id": "Z2", "is_paid": False, "permit_area_id": "PA1"},
    {"blockface_id": "BF-PERMIT2H", "lat": 43.4530, "zone_id": "Z2", "is_paid": False, "permit_area_id": "PA1",
     "time_limit_minutes": 120},
    {"blockface_id": "BF-RUSH", "lat": 43.4540, "zone_id": "Z2", "is_paid": False, "is_rush_hour_route": True,
     "is_snow_route": True},
    {"blockface_id": "BF-SCHOOL", "lat": 43.4550, "zone_id": "Z2", "is_paid": False, "school_zone_id": "SZ1"},
    {"blockface_id": "BF-KERB", "lat": 43.4560, "zone_id": "Z2", "is_paid": False, "hydrant_at_m": 60,
     "accessible_from_m": 20, "accessible_to_m": 27, "no_stopping_from_m": 3, "no_stopping_to_m": 12,
     "no_parking_from_m": 100, "no_parking_to_m": 110},
    {"blockface_id": "BF-FREE", "lat": 43.4570, "zone_id": "Z2", "is_paid": False},
]
BF_LAT = {b["blockface_id"]: b["lat"] for b in BLOCKFACES}


def blockface_rows() -> list[dict]:
    rows = []
    for b in BLOCKFACES:
        lat = b["lat"]
        row = {k: v for k, v in b.items() if k != "lat"}
        row["geometry_wkt"] = f"LINESTRING ({LON0} {lat}, {lon_at(lat, LENGTH_M)} {lat})"
        row["centroid_lat"] = lat
        row["centroid_lon"] = lon_at(lat, LENGTH_M / 2)
        rows.append(row)
    return rows


W = "2026-10-28"  # a Wednesday


def t(day: str, local_hhmm: str) -> str:
    """UTC timestamp text of a local (EDT) wall-clock time in Oct 2026 / Jul 2026."""
    h, m = map(int, local_hhmm.split(":"))
    return f"{day} {h + 4:02d}:{m:02d}:00+00"


def read(rid, plate, bf, at, m=40.0, dlat=0.00001):
    return {"read_id": rid, "plate": plate, "province": "ON", "captured_at": at,
            "lat": round(BF_LAT[bf] + dlat, 6), "lon": lon_at(BF_LAT[bf], m), "_blockface": None if dlat > 0.001 else bf}


def payment(pid, plate_key, zone, start, end):
    return {"payment_id": pid, "plate_key": plate_key, "zone_id": zone, "started_at": start, "ended_at": end}


def permit(pid, plate, ptype, area, vf, vt, status="approved"):
    return {"permit_id": pid, "plate": plate, "permit_type": ptype, "permit_area_id": area, "valid_from": vf,
            "valid_to": vt, "status": status}


def ticket(tid, plate_key, issued, outstanding, settled=None):
    row = {"ticket_id": tid, "plate_key": plate_key, "issued_at": issued, "amount_outstanding": outstanding}
    if settled:
        row["settled_at"] = settled
    return row


# expect: read_id -> (verdict, violation_type[, is_hit])
CASES = [
    dict(name="rule_meter_unpaid_needs_a_covering_payment_in_the_zone",
         description="Paid blockface, Wednesday 10:00: no payment -> meter_unpaid; a session covering the read -> "
                     "compliant; one that ended 3 min before (grace 5) -> compliant; one that ended 10 min before -> "
                     "meter_unpaid; a session in another zone -> meter_unpaid; a meter payment starting 2 min after the "
                     "read -> compliant; Sunday (not a paid day) -> compliant.",
         reads=[read("p1", "AAA 111", "BF-PAID", t(W, "10:00")), read("p2", "BBB222", "BF-PAID", t(W, "10:00")),
                read("p3", "CCC333", "BF-PAID", t(W, "10:00")), read("p4", "DDD444", "BF-PAID", t(W, "10:00")),
                read("p5", "EEE555", "BF-PAID", t(W, "10:00")), read("p6", "FFF666", "BF-PAID", t(W, "10:00")),
                read("p7", "AAA111", "BF-PAID", t("2026-10-25", "10:00"))],
         payments=[payment("S2", "BBB222", "Z1", t(W, "09:30"), t(W, "10:30")),
                   payment("S3", "CCC333", "Z1", t(W, "08:57"), t(W, "09:57")),
                   payment("S4", "DDD444", "Z1", t(W, "08:50"), t(W, "09:50")),
                   payment("S5", "EEE555", "Z2", t(W, "09:30"), t(W, "10:30")),
                   payment("M-E6", "FFF666", "Z1", t(W, "10:02"), t(W, "11:02"))],
         expect={"p1": ("violation", "meter_unpaid"), "p2": ("compliant", None), "p3": ("compliant", None),
                 "p4": ("violation", "meter_unpaid"), "p5": ("violation", "meter_unpaid"), "p6": ("compliant", None),
                 "p7": ("compliant", None)}),
    dict(name="rule_overtime_by_digital_chalk",
         description="Free blockface, limit 60 min (08:00-18:00, Mon-Sat): first read 10:00 -> compliant, 10:59 -> "
                     "compliant, 11:01 -> overtime; first read 07:30, again 09:05 -> overtime (counted from 08:00); a "
                     "plate read at 08:30 on another blockface does not chalk this one.",
         reads=[read("o1", "GHJ123", "BF-LIMIT", t(W, "10:00")), read("o2", "GHJ123", "BF-LIMIT", t(W, "10:59"), m=45),
                read("o3", "GHJ123", "BF-LIMIT", t(W, "11:01"), m=41), read("o4", "KLM456", "BF-LIMIT", t(W, "07:30")),
                read("o5", "KLM456", "BF-LIMIT", t(W, "09:05")), read("o6", "NPR789", "BF-FREE", t(W, "08:30")),
                read("o7", "NPR789", "BF-LIMIT", t(W, "09:40"))],
         expect={"o1": ("compliant", None), "o2": ("compliant", None), "o3": ("violation", "overtime"),
                 "o4": ("compliant", None), "o5": ("violation", "overtime"), "o6": ("compliant", None),
                 "o7": ("compliant", None)}),
    dict(name="rule_no_permit_in_permit_areas",
         description="Permit area PA1: a residential PA1 permit -> compliant; none -> no_permit; a PA2 permit -> "
                     "no_permit; a city-wide commercial permit -> compliant; an expired or revoked PA1 permit -> "
                     "no_permit. On a PA1 blockface with a 2 h limit, a plate without a permit is compliant for 2 h "
                     "from its first read, then no_permit.",
         reads=[read("n1", "RES111", "BF-PERMIT", t(W, "10:00")), read("n2", "VIS222", "BF-PERMIT", t(W, "10:00")),
                read("n3", "OTH333", "BF-PERMIT", t(W, "10:00")), read("n4", "COM444", "BF-PERMIT", t(W, "10:00")),
                read("n5", "EXP555", "BF-PERMIT", t(W, "10:00")), read("n6", "REV666", "BF-PERMIT", t(W, "10:00")),
                read("n7", "VIS777", "BF-PERMIT2H", t(W, "09:00")), read("n8", "VIS777", "BF-PERMIT2H", t(W, "10:30")),
                read("n9", "VIS777", "BF-PERMIT2H", t(W, "11:05"))],
         permits=[permit("RP1", "RES 111", "residential", "PA1", "2026-01-01", "2026-12-31"),
                  permit("RP3", "OTH333", "residential", "PA2", "2026-01-01", "2026-12-31"),
                  permit("CP4", "COM444", "commercial", "CITYWIDE", "2026-01-01", "2026-12-31"),
                  permit("RP5", "EXP555", "residential", "PA1", "2025-10-01", "2026-10-27"),
                  permit("RP6", "REV666", "residential", "PA1", "2026-01-01", "2026-12-31", status="revoked")],
         expect={"n1": ("compliant", None), "n2": ("violation", "no_permit"), "n3": ("violation", "no_permit"),
                 "n4": ("compliant", None), "n5": ("violation", "no_permit"), "n6": ("violation", "no_permit"),
                 "n7": ("compliant", None), "n8": ("compliant", None), "n9": ("violation", "no_permit")}),
    dict(name="rule_rush_hour_on_weekday_windows",
         description="Rush-hour route: Wednesday 07:30 and 17:00 -> rush_hour; Wednesday 10:00 -> compliant; "
                     "Saturday 07:30 -> compliant.",
         reads=[read("h1", "AAA111", "BF-RUSH", t(W, "07:30")), read("h2", "BBB222", "BF-RUSH", t(W, "17:00")),
                read("h3", "CCC333", "BF-RUSH", t(W, "10:00")), read("h4", "DDD444", "BF-RUSH", t("2026-10-31", "07:30"))],
         expect={"h1": ("violation", "rush_hour"), "h2": ("violation", "rush_hour"), "h3": ("compliant", None),
                 "h4": ("compliant", None)}),
    dict(name="rule_school_zone_in_school_hours_on_school_days",
         description="School zone: Wednesday 28 Oct 08:30 and 15:30 -> school_zone; 12:00 -> compliant; a July weekday "
                     "(summer break) 08:30 -> compliant; Saturday 08:30 -> compliant.",
         reads=[read("s1", "AAA111", "BF-SCHOOL", t(W, "08:30")), read("s2", "BBB222", "BF-SCHOOL", t(W, "15:30")),
                read("s3", "CCC333", "BF-SCHOOL", t(W, "12:00")), read("s4", "DDD444", "BF-SCHOOL", t("2026-07-15", "08:30")),
                read("s5", "EEE555", "BF-SCHOOL", t("2026-10-31", "08:30"))],
         expect={"s1": ("violation", "school_zone"), "s2": ("violation", "school_zone"), "s3": ("compliant", None),
                 "s4": ("compliant", None), "s5": ("compliant", None)}),
    dict(name="rule_snow_route_on_declared_days",
         description="Snow route, snow day declared for 28 Oct (var snow_route_dates): 10:00 that day -> snow_route; "
                     "the day before -> compliant.",
         vars={"snow_route_dates": "2026-10-28"},
         reads=[read("w1", "AAA111", "BF-RUSH", t(W, "10:00")), read("w2", "BBB222", "BF-RUSH", t("2026-10-27", "10:00"))],
         expect={"w1": ("violation", "snow_route"), "w2": ("compliant", None)}),
    dict(name="rule_kerb_stretches_hydrant_accessible_no_stopping_no_parking",
         description="Blockface with a hydrant at 60 m, the accessible space at 20-27 m, no stopping at 3-12 m, no "
                     "parking at 100-110 m (tolerance 3 m): reads at 61 m -> hydrant, 23 m -> accessible (with an "
                     "accessible permit -> compliant), 8 m -> no_stopping, 105 m -> no_parking, 40 m and 85 m -> compliant.",
         reads=[read("k1", "AAA111", "BF-KERB", t(W, "10:00"), m=61), read("k2", "BBB222", "BF-KERB", t(W, "10:00"), m=23),
                read("k3", "ACC333", "BF-KERB", t(W, "10:00"), m=24), read("k4", "DDD444", "BF-KERB", t(W, "10:00"), m=8),
                read("k5", "EEE555", "BF-KERB", t(W, "10:00"), m=105), read("k6", "FFF666", "BF-KERB", t(W, "10:00"), m=40),
                read("k7", "GGG777", "BF-KERB", t(W, "10:00"), m=85)],
         permits=[permit("AP3", "ACC333", "accessible", "CITYWIDE", "2026-01-01", "2030-12-31")],
         expect={"k1": ("violation", "hydrant"), "k2": ("violation", "accessible"), "k3": ("compliant", None),
                 "k4": ("violation", "no_stopping"), "k5": ("violation", "no_parking"), "k6": ("compliant", None),
                 "k7": ("compliant", None)}),
    dict(name="rule_scofflaw_and_exemptions_and_unknown_location",
         description="Scofflaw (3 tickets, $150, 30 days): 3 tickets unpaid for 40+ days totalling $180 -> hit on a "
                     "compliant read; 2 such tickets, or 3 with one paid before the read, or one only 10 days old -> no "
                     "hit. A municipal-fleet plate at a paid blockface without payment -> exempt; a contractor exempt "
                     "only in zone Z2 -> meter_unpaid in Z1. A read 500 m from any blockface -> unknown_location.",
         reads=[read("c1", "SCO111", "BF-FREE", t(W, "10:00")), read("c2", "TWO222", "BF-FREE", t(W, "10:00")),
                read("c3", "PAI333", "BF-FREE", t(W, "10:00")), read("c4", "NEW444", "BF-FREE", t(W, "10:00")),
                read("e1", "FLT555", "BF-PAID", t(W, "10:00")), read("e2", "CON666", "BF-PAID", t(W, "10:00")),
                read("u1", "AAA111", "BF-FREE", t(W, "10:00"), dlat=0.0045)],
         exemptions=[{"exemption_id": "EX1", "plate": "FLT555", "reason": "municipal_fleet", "valid_from": "2025-01-01",
                      "valid_to": "2027-12-31"},
                     {"exemption_id": "EX2", "plate": "CON666", "reason": "contractor", "zone_id": "Z2",
                      "valid_from": "2025-01-01", "valid_to": "2027-12-31"}],
         tickets=[ticket("T1", "SCO111", "2026-09-01 14:00:00+00", 30), ticket("T2", "SCO111", "2026-09-02 14:00:00+00", 50),
                  ticket("T3", "SCO111", "2026-09-03 14:00:00+00", 100), ticket("T4", "TWO222", "2026-09-01 14:00:00+00", 100),
                  ticket("T5", "TWO222", "2026-09-02 14:00:00+00", 100), ticket("T6", "PAI333", "2026-09-01 14:00:00+00", 100),
                  ticket("T7", "PAI333", "2026-09-02 14:00:00+00", 100),
                  ticket("T8", "PAI333", "2026-09-03 14:00:00+00", 100, settled="2026-10-01 14:00:00+00"),
                  ticket("T9", "NEW444", "2026-09-01 14:00:00+00", 100), ticket("T10", "NEW444", "2026-09-02 14:00:00+00", 100),
                  ticket("T11", "NEW444", "2026-10-18 14:00:00+00", 100), ticket("T12", "CON666", "2026-09-01 14:00:00+00", 100),
                  ticket("T13", "CON666", "2026-09-02 14:00:00+00", 100), ticket("T14", "CON666", "2026-09-03 14:00:00+00", 100)],
         expect={"c1": ("compliant", None, True), "c2": ("compliant", None, False), "c3": ("compliant", None, False),
                 "c4": ("compliant", None, False), "e1": ("exempt", None, False), "e2": ("violation", "meter_unpaid", True),
                 "u1": ("unknown_location", None, False)}),
]


def _flow(d: dict) -> str:
    def v(x):
        if x is None:
            return "null"
        if isinstance(x, bool):
            return "true" if x else "false"
        if isinstance(x, (int, float)):
            return repr(x)
        s = str(x)
        return f'"{s}"' if any(c in s for c in " :,#{}[]") or s in ("ON", "null", "true", "false") else s
    return "{" + ", ".join(f"{k}: {v(x)}" for k, x in d.items() if not k.startswith("_")) + "}"


def render_yml() -> str:
    out = ["version: 2", "",
           "# Generated by tests/enforcement/golden_cases.py (python tests/enforcement/golden_cases.py): golden cases",
           "# for every violation rule (macros/rules/) on the model that applies them to the ALPR stream. The live",
           "# check runs the same cases (tests/enforcement/test_live_check.py). Times are UTC; 28 Oct 2026 is a",
           "# Wednesday, local time UTC-4 (EDT).", "", "unit_tests:"]
    for i, case in enumerate(CASES):
        out += [f"  - name: {case['name']}", "    description: >", f"      {case['description']}",
                "    model: int_plate_reads_evaluated"]
        out += ["    overrides:", "      macros: {is_incremental: false}"]
        if case.get("vars"):
            out += ["      vars: " + _flow(case["vars"])]
        out += ["    given:", "      - input: ref('stg_alpr__plate_reads')", "        rows:"]
        out += [f"          - {_flow(r)}" for r in case["reads"]]
        out += ["      - input: ref('stg_gis__blockfaces')"]
        if i == 0:
            out += ["        rows: &blockfaces"] + [f"          - {_flow(b)}" for b in blockface_rows()]
        else:
            out += ["        rows: *blockfaces"]
        for ref, key in (("int_parking_payments_unioned", "payments"), ("stg_permits__permits", "permits"),
                         ("stg_permits__exemptions", "exemptions"), ("int_tickets_settled", "tickets")):
            rows = case.get(key) or []
            out += [f"      - input: ref('{ref}')", "        rows: []" if not rows else "        rows:"]
            out += [f"          - {_flow(r)}" for r in rows]
        out += ["    expect:", "      rows:"]
        for rid, exp in case["expect"].items():
            row = {"read_id": rid, "verdict": exp[0], "violation_type": exp[1]}
            if len(exp) > 2:
                row["is_hit"] = exp[2]
            out.append(f"        - {_flow(row)}")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    YML.write_text(render_yml())
    print(f"wrote {YML}", file=sys.stderr)
