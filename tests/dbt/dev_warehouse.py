"""A synthetic, city-sized dev warehouse for dbt development and timing (not a test).

    python tests/dbt/dev_warehouse.py [PATH] [--days 365] [--reads 3500000]

Creates the typed raw tables (raw_fixture.create_raw_tables) and fills them with random
but plausible rows in DuckDB SQL (seconds, no simulator needed): ~3.5 M plate reads a
year, sessions, meter events with faults and repairs, tickets, a legacy Toronto extract,
payments, complaints, cases, inspections and notices, plus ~0.1 % re-delivered rows.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_fixture import create_raw_tables  # noqa: E402

LINEAGE = """'dev-' || {src} || '-' || strftime({day}, '%Y%m%d') as _batch_id,
    {src} || '_' || strftime({day}, '%Y-%m-%d') || '.dat' as _source_file,
    {rn} as _row_number, {day} as _delivered_on, ({day} + interval 1 day)::timestamptz as _landed_at"""


def lineage(src: str, day: str, rn: str = "i") -> str:
    return LINEAGE.format(src=f"'{src}'", day=f"cast({day} as date)", rn=rn)


def build(path: str, days: int = 365, reads: int = 3_500_000, start: str = "2025-01-01") -> dict:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).unlink(missing_ok=True)
    con = duckdb.connect(path)
    con.execute("SET TimeZone='America/Toronto'")
    con.execute("SELECT setseed(0.42)")
    create_raw_tables(con)
    S = f"DATE '{start}'"
    t0 = time.time()
    x = con.execute

    # --- reference: 12 zones, a 30 x 30 street grid of blockfaces, meters --------------
    x(f"""INSERT INTO raw.zones SELECT 'Z' || lpad(i::varchar, 2, '0'), 'Zone ' || i,
          'POLYGON EMPTY', 43.44 + (i // 4) * 0.012, -80.52 + (i % 4) * 0.012, {lineage('zones', S)}
          FROM range(12) t(i)""")
    x(f"""INSERT INTO raw.blockfaces
          SELECT 'BF' || lpad(i::varchar, 5, '0'), 'Z' || lpad(((gy // 10) * 4 + least(gx // 8, 3))::varchar, 2, '0'),
                 'Street ' || gy, ['N','S','E','W'][1 + i % 4], 6 + (i % 15), i % 3 <> 0,
                 CASE WHEN i % 5 = 0 THEN 120 END, CASE WHEN i % 11 = 0 THEN 'PA' || (i % 8) END,
                 CASE WHEN i % 97 = 0 THEN 'SZ' || (i % 14) END,
                 printf('LINESTRING (%.7f %.7f, %.7f %.7f)', cx - 0.0005, cy, cx + 0.0005, cy),
                 i % 13 = 0, i % 17 = 0, CASE WHEN i % 3 = 0 THEN 40.0 END,   -- rush hour, snow route, hydrant
                 CASE WHEN i % 7 = 0 THEN 10.0 END, CASE WHEN i % 7 = 0 THEN 17.0 END, NULL, NULL, NULL, NULL,
                 cy, cx, {lineage('blockfaces', S)}
          FROM (SELECT i, gy, gx, 43.44 + gy * 0.0012 + (i % 2) * 0.0002 AS cy, -80.52 + gx * 0.0016 + (i % 4 // 2) * 0.0002 AS cx
                FROM (SELECT i, (i // 4) % 30 AS gy, (i // 120) % 30 AS gx FROM range(3600) t(i)))""")
    x(f"""INSERT INTO raw.meters SELECT 'M' || lpad(i::varchar, 5, '0'), 'BF' || lpad((i * 2)::varchar, 5, '0'),
          'Z' || lpad((i % 12)::varchar, 2, '0'), 4 + i % 8, 2.5 + (i % 3) * 0.5, 120,
          DATE '2020-01-01' + (i % 400)::int, 43.45, -80.50, {lineage('meters', S)} FROM range(1500) t(i)""")
    x(f"""INSERT INTO raw.officers SELECT 'OFF' || lpad(i::varchar, 3, '0'), 'B' || (1000 + i),
          CASE WHEN i < 20 THEN 'parking' ELSE 'bylaw' END, 'Z' || lpad((i % 12)::varchar, 2, '0'), NULL, true,
          {lineage('officers', S)} FROM range(34) t(i)""")
    x(f"""INSERT INTO raw.permit_areas SELECT 'PA' || i, 'Area ' || i, 'POLYGON EMPTY', 43.45, -80.5, {lineage('permit_areas', S)} FROM range(8) t(i)""")
    x(f"""INSERT INTO raw.school_zones SELECT 'SZ' || i, 'School ' || i, 'POLYGON EMPTY', 43.45, -80.5, {lineage('school_zones', S)} FROM range(14) t(i)""")
    x(f"""INSERT INTO raw.assessment_roll SELECT lpad(i::varchar, 19, '3'), i || ' Main St', 43.45, -80.5,
          'residential', 'Owner ' || i, 100000 + i, 'W' || (i % 10), {lineage('assessment_roll', S)} FROM range(20000) t(i)""")

    # --- plate reads near blockface centroids: a patrol pass reads ~12 plates on a blockface
    x(f"""INSERT INTO raw.alpr_reads
          SELECT 'R' || i, 'P' || lpad(((random() * 160000)::int)::varchar, 6, '0'), 'ON', 0.6 + random() * 0.4,
                 ts, b.cy + (random() - 0.5) * 0.0006, b.cx + (random() - 0.5) * 0.0008,
                 'CAM' || (i % 6), 'U' || (i % 3), 'OFF' || lpad((i % 6)::varchar, 3, '0'), NULL,
                 {lineage('alpr_reads', 'ts')}
          FROM (SELECT i, timezone('America/Toronto', {S}::timestamp + to_days((i * {days} // {reads})::int)
                         + to_minutes((420 + ((i // 12) * 37) % 840)::int) + to_seconds((i % 12) * 20)) AS ts,
                       ((i // 12) * 7919) % 3600 AS bfi FROM range({reads}) t(i)) r
          JOIN (SELECT row_number() OVER (ORDER BY blockface_id) - 1 AS bfi, _centroid_lat cy, _centroid_lon cx FROM raw.blockfaces) b USING (bfi)""")
    # ~0.1 % re-delivered a day later (same key, later _delivered_on)
    x("""INSERT INTO raw.alpr_reads SELECT * REPLACE (_delivered_on + 1 AS _delivered_on, _batch_id || '-redo' AS _batch_id)
         FROM raw.alpr_reads USING SAMPLE 0.1 PERCENT (bernoulli)""")

    # --- sessions, meter events ---------------------------------------------------------
    n = days * 1800
    x(f"""INSERT INTO raw.pbp_vendor_a_sessions SELECT 'S' || i, 'P' || lpad((i % 160000)::varchar, 6, '0'), 'ON',
          'Z' || lpad((i % 12)::varchar, 2, '0'), ts, ts + to_minutes(30 + (i % 90)::int), 150 + (i % 400),
          ['app','web','sms'][1 + i % 3], {lineage('pbp_vendor_a_sessions', 'ts')}
          FROM (SELECT i, timezone('America/Toronto', {S}::timestamp + to_days((i * {days} // {n})::int)
                + to_minutes((480 + random() * 720)::int)) ts FROM range({n}) t(i))""")
    n = days * 1200
    x(f"""INSERT INTO raw.pbp_vendor_b_sessions SELECT 'T' || i, 'P' || lpad((i % 160000)::varchar, 6, '0'), 'ON',
          'Z' || lpad((i % 12)::varchar, 2, '0'), ts, 30 + (i % 120), 2.0 + (i % 7), ['phone','ivr','kiosk'][1 + i % 3],
          {lineage('pbp_vendor_b_sessions', 'ts')}
          FROM (SELECT i, timezone('America/Toronto', {S}::timestamp + to_days((i * {days} // {n})::int)
                + to_minutes((480 + random() * 720)::int)) ts FROM range({n}) t(i))""")
    n = days * 3000
    x(f"""INSERT INTO raw.meter_events SELECT 'E' || i, 'M' || lpad((i % 1500)::varchar, 5, '0'),
          ['payment_coin','payment_card'][1 + i % 2], ts, 1.0 + (i % 5), (30 + (i % 4) * 30)::varchar,
          'P' || lpad(((i * 7) % 160000)::varchar, 6, '0'), {lineage('meter_events', 'ts')}
          FROM (SELECT i, timezone('America/Toronto', {S}::timestamp + to_days((i * {days} // {n})::int)
                + to_minutes((480 + random() * 720)::int)) ts FROM range({n}) t(i))""")
    x(f"""INSERT INTO raw.meter_events
          SELECT 'F' || i || k, 'M' || lpad(((i * 37) % 1500)::varchar, 5, '0'), k,
                 ts + CASE WHEN k = 'repair' THEN to_minutes((60 + (i % 20) * 60)::int) ELSE interval 0 minute END,
                 NULL, 'JAM', NULL, {lineage('meter_events', 'ts')}
          FROM (SELECT i, timezone('America/Toronto', {S}::timestamp + to_days((i // 12)::int) + to_minutes((600 + (i * 13) % 600)::int)) ts
                FROM range({days} * 12) t(i)) CROSS JOIN (VALUES ('fault'), ('repair')) v(k)
          WHERE NOT (k = 'repair' AND i % 50 = 0)""")
    x(f"""INSERT INTO raw.meter_events SELECT 'RC' || i, 'M' || lpad((i * 13 % 1500)::varchar, 5, '0'), 'rate_change',
          timezone('America/Toronto', {S}::timestamp + to_days((i * 7)::int) + interval 6 hour), 3.0 + (i % 3) * 0.25, NULL,
          NULL, {lineage('meter_events', f"{S} + (i * 7)::int")} FROM range({days} // 7) t(i)""")

    # --- tickets, payments, disputes, legacy Toronto --------------------------------------
    n = days * 280
    x(f"""INSERT INTO raw.handheld_tickets SELECT 'TK' || lpad(i::varchar, 8, '0'), ts, 'OFF' || lpad((i % 20)::varchar, 3, '0'),
          'PS-' || (100 + i % 9), ['expired_meter','no_permit','overtime','no_stopping'][1 + i % 4], [30.0, 50.0, 100.0][1 + i % 3],
          'P' || lpad((i * 31 % 160000)::varchar, 6, '0'), 'ON', NULL, NULL, NULL, 43.45, -80.5, i || ' King St',
          'BF' || lpad((i % 3600)::varchar, 5, '0'), NULL, ['windshield','mail'][1 + (i % 10 = 0)::int],
          ['manual','alpr'][1 + (i % 5 < 2)::int], NULL, {lineage('handheld_tickets', 'ts')}
          FROM (SELECT i, timezone('America/Toronto', {S}::timestamp + to_days((i * {days} // {n})::int)
                + to_minutes((420 + random() * 780)::int)) ts FROM range({n}) t(i))""")
    x(f"""INSERT INTO raw.ticket_payments SELECT 'PAY' || i, 'TK' || lpad(i::varchar, 8, '0'), ts, 30.0,
          ['online','in_person','mail','ivr'][1 + i % 4], NULL, {lineage('ticket_payments', 'ts')}
          FROM (SELECT i, issued_at + to_days(3 + (i % 20)::int) ts FROM (SELECT row_number() OVER () - 1 AS i, issued_at FROM raw.handheld_tickets)
                WHERE i % 10 < 7)""")
    x(f"""INSERT INTO raw.ticket_disputes SELECT 'D' || i, 'TK' || lpad((i * 20)::varchar, 8, '0'), ts, 'online', NULL,
          {lineage('ticket_disputes', 'ts')} FROM (SELECT i, timezone('America/Toronto', {S}::timestamp + to_days((i * {days} // ({days} * 14))::int) + interval 10 hour) ts FROM range({days} * 14) t(i))""")
    x(f"""INSERT INTO raw.dispute_decisions SELECT 'DD' || dispute_id, dispute_id, ticket_number, 'screening', filed_at + interval 5 day,
          ['upheld','reduced','cancelled'][1 + (_row_number % 3)::int], NULL, 'SCR1', {lineage('dispute_decisions', 'filed_at + interval 5 day', '_row_number')}
          FROM raw.ticket_disputes""")
    n = 300_000
    x(f"""INSERT INTO raw.toronto_tickets SELECT '***' || lpad((i % 9999)::varchar, 4, '0'), DATE '2024-01-01' + (i * 365 // {n})::int,
          [5, 29, 210, 403][1 + i % 4], ['PARK-SIGNED HWY-PROHIBIT DY/TM', 'PARK PROHIBITED TIME NO PERMIT', 'FAIL TO DEPOSIT FEE IN METER', 'STOP-SIGNED HIGHWAY-RUSH HOUR'][1 + i % 4],
          [50.0, 30.0, 30.0, 150.0][1 + i % 4], lpad(((i * 7) % 24)::varchar, 2, '0') || ':' || lpad(((i * 13) % 60)::varchar, 2, '0'),
          CASE WHEN i % 3 = 0 THEN 'NR' END, (i % 900) || ' QUEEN ST W', NULL, NULL, 'ON', NULL, NULL,
          'import-tor', 'Parking_Tags_Data_2024.csv', i + 1, DATE '2025-01-02', timestamptz '2025-01-02 10:00:00+00'
          FROM range({n}) t(i)""")

    # --- permits, exemptions, staff ------------------------------------------------------
    x(f"""INSERT INTO raw.permits SELECT 'PR' || i, ['residential','commercial','accessible','event'][1 + i % 4],
          'P' || lpad((i * 17 % 160000)::varchar, 6, '0'), 'ON', 'PA' || (i % 8), d, d + 365,
          ['approved','approved','pending','revoked'][1 + i % 4], timezone('America/Toronto', d::timestamp + interval 11 hour), 60.0,
          {lineage('permits', 'd')} FROM (SELECT i, {S} + (i * {days} // ({days} * 14))::int d FROM range({days} * 14) t(i))""")
    x(f"""INSERT INTO raw.exemptions SELECT 'EX' || i, 'F' || lpad(i::varchar, 5, '0'), 'ON', 'municipal_fleet', NULL, DATE '2024-01-01', DATE '2027-01-01',
          {lineage('exemptions', S)} FROM range(150) t(i)""")
    x(f"""INSERT INTO raw.shifts SELECT 'SH' || i, 'OFF' || lpad((i % 34)::varchar, 3, '0'), st, st + interval 8 hour,
          'Z' || lpad((i % 12)::varchar, 2, '0'), ['alpr','foot','bylaw'][1 + i % 3], NULL, {lineage('shifts', 'st')}
          FROM (SELECT i, timezone('America/Toronto', {S}::timestamp + to_days((i // 34)::int) + interval 7 hour) st FROM range(({days} + 14) * 34) t(i))""")

    # --- complaints, cases, inspections, notices ---------------------------------------
    n = days * 22
    x(f"""INSERT INTO raw.open311_requests SELECT 'SR' || i, ['open','closed'][1 + i % 2], 'PS01', 'Property standards', 'long grass',
          ts, ts + interval 2 day, i || ' Elm St', 43.45, -80.5, NULL, CASE WHEN i % 3 > 0 THEN 'Jane' END, CASE WHEN i % 3 > 0 THEN 'Doe' END,
          CASE WHEN i % 3 > 0 THEN 'jane@example.org' END, NULL, {lineage('open311_requests', 'ts')}
          FROM (SELECT i, timezone('America/Toronto', {S}::timestamp + to_days((i * {days} // {n})::int) + to_minutes((480 + i % 600)::int)) ts FROM range({n}) t(i))""")
    n = days * 19
    x(f"""INSERT INTO raw.calls_311 SELECT 'C' || i, ts, ['noise','parking','property_standards'][1 + i % 3],
          ['phone','email','walk_in','council_referral'][1 + i % 4], i || ' Oak St', 43.45, -80.5, 'loud', i % 4 = 0,
          CASE WHEN i % 4 > 0 THEN 'John Roe' END, CASE WHEN i % 4 > 0 THEN '519-555-0100' END, {lineage('calls_311', 'ts')}
          FROM (SELECT i, timezone('America/Toronto', {S}::timestamp + to_days((i * {days} // {n})::int) + to_minutes((480 + i % 600)::int)) ts FROM range({n}) t(i))""")
    n = days * 18
    x(f"""INSERT INTO raw.bylaw_cases SELECT 'CASE' || i, ['open311','calls_311','proactive'][1 + i % 3], CASE WHEN i % 3 < 2 THEN i::varchar END,
          ts, ['property_standards','noise','zoning'][1 + i % 3], lpad(i::varchar, 19, '3'), ['urgent','standard','low'][1 + i % 3],
          'OFF' || lpad((20 + i % 14)::varchar, 3, '0'),
          CASE WHEN ts + to_days((2 + i % 40)::int) < timezone('America/Toronto', {S}::timestamp + to_days({days})) THEN 'closed' ELSE 'open' END,
          CASE WHEN ts + to_days((2 + i % 40)::int) < timezone('America/Toronto', {S}::timestamp + to_days({days})) THEN ts + to_days((2 + i % 40)::int) END,
          CASE WHEN ts + to_days((2 + i % 40)::int) < timezone('America/Toronto', {S}::timestamp + to_days({days})) THEN 'voluntary_compliance' END,
          {lineage('bylaw_cases', 'ts')}
          FROM (SELECT i, timezone('America/Toronto', {S}::timestamp + to_days((i * {days} // {n})::int) + to_minutes((480 + i % 600)::int)) ts FROM range({n}) t(i))""")
    x(f"""INSERT INTO raw.inspections
          SELECT 'I' || case_id || k, case_id, opened_at + to_days(CASE k WHEN 'a' THEN 1 ELSE 15 END),
                 assigned_officer_id, CASE k WHEN 'a' THEN 'initial' ELSE 're_inspection' END,
                 CASE WHEN k = 'a' THEN 'violation_found' WHEN _row_number % 4 = 0 THEN 'not_complied' ELSE 'complied' END, NULL,
                 {lineage('inspections', "opened_at + to_days(CASE k WHEN 'a' THEN 1 ELSE 15 END)", '_row_number')}
          FROM raw.bylaw_cases CROSS JOIN (VALUES ('a'), ('b')) v(k)
          WHERE k = 'a' OR _row_number % 3 = 0""")
    x(f"""INSERT INTO raw.notices SELECT 'N' || case_id, case_id, 'order_to_comply', opened_at + interval 2 day, 'PS 4.1',
          cast(opened_at + interval 14 day as date), 'registered_mail', opened_at + interval 4 day, NULL,
          {lineage('notices', 'opened_at + interval 2 day', '_row_number')}
          FROM raw.bylaw_cases WHERE _row_number % 3 = 0""")
    counts = {t: con.execute(f'SELECT count(*) FROM raw."{t}"').fetchone()[0]
              for (t,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema='raw' ORDER BY 1").fetchall()}
    con.close()
    return {"seconds": round(time.time() - t0, 1), "rows": counts}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("path", nargs="?", default="/tmp/dbtdev/civic.duckdb")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--reads", type=int, default=3_500_000)
    a = ap.parse_args()
    print(build(a.path, a.days, a.reads))
