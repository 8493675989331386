"""What a council report says: its figures, each read from the serving snapshot's marts
and each with its definition.

``build_report(period)`` returns a ``Report``: a summary of headline figures against the
same period a year before, then sections (parking, bylaw) of tables. Every table names
its source marts and says what each figure counts; the privacy rules
(``apps.reports.privacy``) are applied here, once, so every format shows the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from apps.reports import privacy
from apps.reports.period import Period, add_months

Query = Callable[[str, Sequence[Any]], pd.DataFrame]
TREND_MONTHS = 13
WARD_ORDER = "ward = 'unknown', try_cast(regexp_extract(ward, '[0-9]+') AS INTEGER), ward"  # Ward 2 before Ward 10


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" | "line" | "ward_map"
    x: str
    y: str
    color: str | None = None
    title: str = ""


@dataclass
class Table:
    key: str  # sheet and file name
    title: str
    definition: str
    sources: tuple[str, ...]
    frame: pd.DataFrame
    labels: dict[str, str]
    units: dict[str, str] = field(default_factory=dict)  # column -> "$" | "count" | "%" | "days" | "hours"
    chart: Chart | None = None
    withheld: int = 0  # rows withheld by small-count suppression

    def label(self, column: str) -> str:
        return self.labels.get(column, column.replace("_", " ").capitalize())


@dataclass
class Section:
    key: str
    group: str  # "Parking" | "Bylaw"
    title: str
    tables: list[Table]


@dataclass
class Report:
    period: Period
    generated_at: dt.datetime
    data_as_of: Any
    summary: Table
    sections: list[Section]
    min_count: int
    geography: pd.DataFrame | None = None  # wards: ward, geometry_wkt (for maps)
    data_starts: dt.date | None = None  # the warehouse's first day of parking or bylaw data

    @property
    def title(self) -> str:
        return f"Enforcement Services report to Council — {self.period.label}"

    def coverage_gaps(self) -> list[str]:
        """Where the warehouse's data does not span the period: it starts after its first
        day, or ends before its last."""
        as_of = _as_date(self.data_as_of)
        gaps = []
        if self.data_starts is not None and self.data_starts > self.period.start:
            gaps.append(f"the warehouse's data begins {self.data_starts}")
        if as_of is not None and as_of < self.period.last_day:
            gaps.append(f"its data ends {as_of}")
        return gaps

    @property
    def is_partial(self) -> bool:
        return _as_date(self.data_as_of) is None or bool(self.coverage_gaps())

    def tables(self) -> list[Table]:
        return [self.summary, *[t for s in self.sections for t in s.tables]]


# --------------------------------------------------------------------------- #
# Reading
# --------------------------------------------------------------------------- #


def snapshot_query(path: Path | None = None) -> Query:
    """A query function over the serving snapshot, opened read-only for each query (the
    pipeline may swap the file in between; a report reads it within seconds)."""
    import duckdb
    import streamlit.logger

    # Outside a running app (the command, the Dagster assets) Streamlit warns once per cached
    # function of apps.serving that it has no runtime: not news here.
    streamlit.logger.set_log_level("error")
    from apps.serving import SnapshotMissing, SnapshotUnreadable, snapshot_path

    p = Path(path) if path else snapshot_path()
    if not p.is_file():
        raise SnapshotMissing(p)

    def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        try:
            with duckdb.connect(str(p), read_only=True) as conn:
                return conn.execute(sql, list(params)).df()
        except duckdb.CatalogException as exc:
            raise SnapshotUnreadable(f"the serving snapshot {p} lacks what the report reads "
                                     f"({str(exc).splitlines()[0]}); run `civic pipeline run` to publish "
                                     "the current marts") from exc
    return query


def _numeric(df: pd.DataFrame) -> pd.DataFrame:
    from apps.serving import decimals_as_numbers  # imported late: see snapshot_query

    return decimals_as_numbers(df)


def _as_date(v: Any) -> dt.date | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    ts = pd.Timestamp(v)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("America/Toronto")
    return ts.date()


def _has_column(q: Query, table: str, column: str) -> bool:
    schema, name = table.split(".")
    df = q("SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
           "AND column_name = ?", [schema, name, column])
    return bool(int(df.iloc[0]["n"]))


def _has_table(q: Query, table: str) -> bool:
    schema, name = table.split(".")
    df = q("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
           [schema, name])
    return bool(int(df.iloc[0]["n"]))


# --------------------------------------------------------------------------- #
# Headline figures: one definition each, computed for the period and a year before
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    unit: str
    domain: str  # "parking" | "bylaw": which data must cover the year-before period
    definition: str
    sql: str  # params: start, end (end exclusive); one row, one column "value"
    suppress: bool = False


HEADLINES: tuple[Headline, ...] = (
    Headline("parking_revenue", "Parking revenue", "$", "parking",
             "Pay-by-plate sessions and meter payments, by payment day (fct_revenue_daily).",
             "SELECT sum(revenue) AS value FROM marts.fct_revenue_daily WHERE revenue_stream IN ('pay_by_plate', 'meter') "
             "AND day >= ? AND day < ?"),
    Headline("ticket_payments", "Penalty payments received", "$", "parking",
             "Money received against parking penalties, by payment day, any ticket (fct_revenue_daily).",
             "SELECT sum(revenue) AS value FROM marts.fct_revenue_daily WHERE revenue_stream = 'ticket_payment' "
             "AND day >= ? AND day < ?"),
    Headline("tickets_issued", "Parking tickets issued", "count", "parking",
             "Penalty notices issued in the period, windshield and mailed (fct_tickets).",
             "SELECT count(*) AS value FROM marts.fct_tickets WHERE issued_date >= ? AND issued_date < ?"),
    Headline("fines_issued", "Set fines issued", "$", "parking",
             "Sum of the set fines of the tickets issued in the period (fct_tickets).",
             "SELECT sum(fine_amount) AS value FROM marts.fct_tickets WHERE issued_date >= ? AND issued_date < ?"),
    Headline("disputes_filed", "Disputes filed", "count", "parking",
             "Tickets whose dispute (screening review request) was filed in the period (fct_ticket_lifecycle).",
             "SELECT count(*) AS value FROM marts.fct_ticket_lifecycle WHERE dispute_filed_date >= ? AND dispute_filed_date < ?"),
    Headline("plate_denials", "Sent to MTO plate denial", "count", "parking",
             "Tickets that reached plate denial in the period (fct_ticket_lifecycle.plate_denial_date).",
             "SELECT count(*) AS value FROM marts.fct_ticket_lifecycle WHERE plate_denial_date >= ? AND plate_denial_date < ?"),
    Headline("complaints_received", "Bylaw complaints received", "count", "bylaw",
             "Complaints from every channel (311 calls, the online portal, e-mail), by the day received (fct_complaints).",
             "SELECT count(*) AS value FROM marts.fct_complaints WHERE received_date >= ? AND received_date < ?",
             suppress=True),
    Headline("cases_opened", "Bylaw cases opened", "count", "bylaw",
             "Cases opened in the period (fct_case_lifecycle.opened_date).",
             "SELECT count(*) AS value FROM marts.fct_case_lifecycle WHERE opened_date >= ? AND opened_date < ?",
             suppress=True),
    Headline("cases_closed", "Bylaw cases closed", "count", "bylaw",
             "Cases closed in the period, any outcome (fct_case_lifecycle.closed_date).",
             "SELECT count(*) AS value FROM marts.fct_case_lifecycle WHERE closed_date >= ? AND closed_date < ?",
             suppress=True),
    Headline("avg_resolution_days", "Average days to resolve", "days", "bylaw",
             "Mean days from opening to closing of the cases closed in the period (fct_case_lifecycle.resolution_days).",
             "SELECT avg(resolution_days) AS value FROM marts.fct_case_lifecycle WHERE closed_date >= ? AND closed_date < ?"),
    Headline("resolution_sla_met", "Resolved within target", "%", "bylaw",
             "Share of the cases closed in the period that closed within their bylaw type's resolution target "
             "(seed bylaw_sla_targets; fct_case_lifecycle.is_resolution_sla_breached).",
             "SELECT 100.0 * avg(CASE WHEN is_resolution_sla_breached THEN 0 ELSE 1 END) AS value "
             "FROM marts.fct_case_lifecycle WHERE closed_date >= ? AND closed_date < ?"),
    Headline("remediation_cost", "Remediation work ordered", "$", "bylaw",
             "Cost of the remedial work the City ordered done at owners' expense in the period "
             "(Municipal Act s.446; fct_bylaw_remediation_works by order day).",
             "SELECT sum(cost) AS value FROM marts.fct_bylaw_remediation_works WHERE ordered_date >= ? AND ordered_date < ?"),
)


def _data_as_of(q: Query) -> Any:
    info = q("SELECT data_as_of FROM meta.snapshot_info", [])
    return info.iloc[0]["data_as_of"] if not info.empty else None


def _coverage_start(q: Query) -> dict[str, dt.date | None]:
    df = q("""SELECT (SELECT least(min(day), (SELECT min(issued_date) FROM marts.fct_tickets)) FROM marts.fct_revenue_daily) AS parking,
                     (SELECT least(min(received_date), (SELECT min(opened_date) FROM marts.fct_case_lifecycle))
                      FROM marts.fct_complaints) AS bylaw""", [])
    return {k: _as_date(df.iloc[0][k]) for k in ("parking", "bylaw")}


def _scalar(q: Query, sql: str, period: Period) -> float | None:
    df = _numeric(q(sql, [period.start, period.end]))
    v = df.iloc[0]["value"] if not df.empty else None
    return None if v is None or pd.isna(v) else round(float(v), 2)


def summary_table(q: Query, period: Period, threshold: int, starts: dict[str, dt.date | None] | None = None) -> Table:
    starts = _coverage_start(q) if starts is None else starts
    before = period.shifted_years(-1)
    rows, withheld_rows = [], 0
    for h in HEADLINES:
        value = _scalar(q, h.sql, period)
        if value is None and h.unit in ("count", "$"):
            value = 0.0
        covered = starts[h.domain] is not None and starts[h.domain] <= before.start
        prior = _scalar(q, h.sql, before) if covered else None
        if prior is None and covered and h.unit in ("count", "$"):
            prior = 0.0
        change = None
        if value is not None and prior not in (None, 0.0):
            change = round(100.0 * (value - prior) / abs(prior), 1)
        withheld = h.suppress and threshold > 1 and value is not None and 0 < value < threshold
        withheld_rows += int(withheld)
        marker = privacy.withheld_marker(threshold)
        rows.append({"figure": h.label, "value": marker if withheld else value,
                     "same_period_last_year": marker if withheld and prior is not None and 0 < prior < threshold else prior,
                     "change_pct": None if withheld else change,
                     "unit": h.unit, "definition": h.definition})
    frame = pd.DataFrame(rows)
    return Table("summary", "Summary", f"The period's headline figures against {before.label} "
                 "(blank where the warehouse holds no data for that period).",
                 ("fct_revenue_daily", "fct_tickets", "fct_ticket_lifecycle", "fct_complaints",
                  "fct_case_lifecycle", "fct_bylaw_remediation_works"),
                 frame, {"figure": "Figure", "value": "This period", "same_period_last_year": "Same period last year",
                         "change_pct": "Change %", "unit": "Unit", "definition": "Definition"},
                 {"change_pct": "%"}, withheld=withheld_rows)


# --------------------------------------------------------------------------- #
# Sections
# --------------------------------------------------------------------------- #


def _table(q: Query, key: str, title: str, definition: str, sources: tuple[str, ...], sql: str,
           params: Sequence[Any], labels: dict[str, str], units: dict[str, str] | None = None,
           chart: Chart | None = None, suppress: tuple[str, tuple[str, ...]] | None = None,
           threshold: int = 0) -> Table:
    frame = _numeric(q(sql, list(params)))
    for col, unit in (units or {}).items():  # counts as whole numbers in every format (sums arrive as doubles)
        if unit == "count" and col in frame and pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].round().astype("Int64")
    privacy.check_columns(key, frame.columns)
    withheld = 0
    if suppress is not None:
        frame, mask = privacy.suppress_small_counts(frame, suppress[0], threshold, suppress[1])
        withheld = int(mask.sum())
    frame = privacy.scrub_text(frame)
    return Table(key, title, definition, sources, frame, labels, units or {}, chart, withheld)


def _trend_bounds(period: Period) -> tuple[dt.date, dt.date]:
    return add_months(period.end, -TREND_MONTHS), period.end


def parking_sections(q: Query, p: Period, threshold: int) -> list[Section]:
    a, b = p.start, p.end
    ward_expr = "coalesce(t.ward, 'unknown')" if _has_column(q, "marts.fct_tickets", "ward") else "'unknown'"
    t0, t1 = _trend_bounds(p)
    revenue = _table(
        q, "parking_revenue", "Parking revenue by channel",
        "Money received in the period by stream (pay-by-plate sessions, meters, penalty payments) and "
        "payment channel, by payment day; transactions are payments, not vehicles.",
        ("fct_revenue_daily",),
        """SELECT revenue_stream, channel, sum(transactions) AS transactions, round(sum(revenue), 2) AS revenue
           FROM marts.fct_revenue_daily WHERE day >= ? AND day < ? GROUP BY ALL ORDER BY revenue DESC""", [a, b],
        {"revenue_stream": "Stream", "channel": "Channel", "transactions": "Transactions", "revenue": "Revenue"},
        {"transactions": "count", "revenue": "$"}, Chart("bar", "channel", "revenue", "revenue_stream", "Revenue by channel"))
    by_type = _table(
        q, "parking_tickets_by_type", "Tickets by violation type",
        "Penalty notices issued in the period by violation type and bylaw code, with their set fines "
        "(before any early-payment discount or dispute outcome).",
        ("fct_tickets",),
        """SELECT violation_type, bylaw_code, count(*) AS tickets, sum(fine_amount) AS fines_issued,
                  round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS share_pct
           FROM marts.fct_tickets WHERE issued_date >= ? AND issued_date < ? GROUP BY ALL ORDER BY tickets DESC""", [a, b],
        {"violation_type": "Violation", "bylaw_code": "Bylaw code", "tickets": "Tickets", "fines_issued": "Set fines",
         "share_pct": "Share %"},
        {"tickets": "count", "fines_issued": "$", "share_pct": "%"}, Chart("bar", "violation_type", "tickets", None, "Tickets by violation type"))
    by_ward = _table(
        q, "parking_tickets_by_ward", "Tickets by ward",
        "Penalty notices issued in the period by the ward of the blockface where the vehicle was "
        "(ward 'unknown': no blockface recorded).",
        ("fct_tickets", "dim_wards"),
        f"""SELECT * FROM (
              SELECT {ward_expr} AS ward, count(*) AS tickets, sum(t.fine_amount) AS fines_issued,
                     count(*) FILTER (WHERE t.detection_source = 'alpr') AS tickets_alpr
              FROM marts.fct_tickets AS t WHERE t.issued_date >= ? AND t.issued_date < ? GROUP BY ALL)
            ORDER BY {WARD_ORDER}""", [a, b],
        {"ward": "Ward", "tickets": "Tickets", "fines_issued": "Set fines", "tickets_alpr": "Of which ALPR-detected"},
        {"tickets": "count", "fines_issued": "$", "tickets_alpr": "count"}, Chart("ward_map", "ward", "tickets", None, "Tickets by ward"))
    disputes = _table(
        q, "parking_disputes", "Disputes and outcomes",
        "Tickets whose dispute was filed in the period, by outcome so far (AMPS: screening review, then "
        "hearing review); days are from filing to the last decision.",
        ("fct_ticket_lifecycle",),
        """SELECT coalesce(dispute_outcome, 'pending') AS outcome,
                  CASE WHEN hearing_outcome IS NOT NULL THEN 'hearing' WHEN screening_outcome IS NOT NULL THEN 'screening'
                       ELSE 'awaiting review' END AS decided_at,
                  count(*) AS disputes, round(avg(dispute_days), 1) AS avg_days_to_decision,
                  sum(fine_amount) AS fines_disputed
           FROM marts.fct_ticket_lifecycle WHERE dispute_filed_date >= ? AND dispute_filed_date < ?
           GROUP BY ALL ORDER BY disputes DESC""", [a, b],
        {"outcome": "Outcome", "decided_at": "Decided at", "disputes": "Disputes",
         "avg_days_to_decision": "Average days to decision", "fines_disputed": "Set fines disputed"},
        {"disputes": "count", "avg_days_to_decision": "days", "fines_disputed": "$"},
        Chart("bar", "outcome", "disputes", "decided_at", "Disputes by outcome"))
    collections = _table(
        q, "parking_collections", "Collections: tickets issued in the period, by status today",
        "Each ticket issued in the period at its status on the data's last day, with the money due "
        "(after discounts and dispute outcomes), paid and outstanding.",
        ("fct_ticket_lifecycle",),
        """SELECT current_status AS status, count(*) AS tickets, round(sum(amount_due), 2) AS amount_due,
                  round(sum(amount_paid), 2) AS amount_paid, round(sum(amount_outstanding), 2) AS amount_outstanding
           FROM marts.fct_ticket_lifecycle WHERE issued_date >= ? AND issued_date < ? GROUP BY ALL ORDER BY tickets DESC""", [a, b],
        {"status": "Status", "tickets": "Tickets", "amount_due": "Due", "amount_paid": "Paid", "amount_outstanding": "Outstanding"},
        {"tickets": "count", "amount_due": "$", "amount_paid": "$", "amount_outstanding": "$"})
    notices = _table(
        q, "parking_notices", "Reminders, demands and plate denials",
        "Unpaid tickets reaching each collection step in the period (the schedule is configuration: "
        "reminder at 30 days, demand at 60, MTO plate denial at 90 by default), any issue date.",
        ("fct_ticket_lifecycle",),
        """SELECT step, count(*) AS tickets, round(sum(amount_outstanding), 2) AS amount_outstanding_today FROM (
             SELECT 'reminder' AS step, amount_outstanding FROM marts.fct_ticket_lifecycle WHERE reminder_date >= ? AND reminder_date < ?
             UNION ALL SELECT 'demand', amount_outstanding FROM marts.fct_ticket_lifecycle WHERE demand_date >= ? AND demand_date < ?
             UNION ALL SELECT 'plate denial', amount_outstanding FROM marts.fct_ticket_lifecycle WHERE plate_denial_date >= ? AND plate_denial_date < ?
             UNION ALL SELECT 'written off', amount_outstanding FROM marts.fct_ticket_lifecycle WHERE written_off_date >= ? AND written_off_date < ?)
           GROUP BY step ORDER BY CASE step WHEN 'reminder' THEN 1 WHEN 'demand' THEN 2 WHEN 'plate denial' THEN 3 ELSE 4 END""",
        [a, b] * 4,
        {"step": "Step", "tickets": "Tickets", "amount_outstanding_today": "Outstanding today"},
        {"tickets": "count", "amount_outstanding_today": "$"})
    enforcement = _table(
        q, "parking_alpr_vs_manual", "ALPR and manual enforcement",
        "Officer shifts in the period by how they enforced: ALPR vehicles (every detection confirmed by an "
        "officer) or on foot; tickets per patrol hour compare the two.",
        ("fct_officer_shifts",),
        """SELECT enforcement_type, count(*) AS shifts, round(sum(shift_hours), 1) AS patrol_hours,
                  sum(plates_scanned) AS plates_scanned, sum(violations_detected) AS violations_detected,
                  sum(tickets_issued) AS tickets_issued, sum(fines_issued) AS fines_issued,
                  round(sum(tickets_issued) / nullif(sum(shift_hours), 0), 2) AS tickets_per_patrol_hour,
                  round(avg(route_coverage_pct), 1) AS avg_route_coverage_pct
           FROM marts.fct_officer_shifts WHERE shift_date >= ? AND shift_date < ? GROUP BY ALL ORDER BY enforcement_type""", [a, b],
        {"enforcement_type": "Enforcement", "shifts": "Shifts", "patrol_hours": "Patrol hours", "plates_scanned": "Plates scanned",
         "violations_detected": "Violations detected", "tickets_issued": "Tickets", "fines_issued": "Set fines",
         "tickets_per_patrol_hour": "Tickets per patrol hour", "avg_route_coverage_pct": "Average route coverage %"},
        {"shifts": "count", "patrol_hours": "hours", "plates_scanned": "count", "violations_detected": "count",
         "tickets_issued": "count", "fines_issued": "$", "tickets_per_patrol_hour": "", "avg_route_coverage_pct": "%"},
        Chart("bar", "enforcement_type", "tickets_per_patrol_hour", None, "Tickets per patrol hour"))
    school = _table(
        q, "parking_school_zones", "School-zone enforcement",
        "Each school zone: the days in the period a patrol read plates on its blockfaces, and the tickets "
        "issued on its blockfaces (any violation) and for school-zone restrictions.",
        ("dim_blockfaces", "fct_officer_shift_blockfaces", "fct_tickets"),
        """WITH zones AS (SELECT DISTINCT school_zone_id FROM marts.dim_blockfaces WHERE school_zone_id IS NOT NULL),
           patrolled AS (SELECT b.school_zone_id, count(DISTINCT s.shift_date) AS days_patrolled
                         FROM marts.fct_officer_shift_blockfaces AS s JOIN marts.dim_blockfaces AS b USING (blockface_id)
                         WHERE s.shift_date >= ? AND s.shift_date < ? AND b.school_zone_id IS NOT NULL GROUP BY 1),
           ticketed AS (SELECT b.school_zone_id, count(*) AS tickets,
                               count(*) FILTER (WHERE t.violation_type = 'school_zone') AS school_zone_tickets,
                               sum(t.fine_amount) AS fines_issued
                        FROM marts.fct_tickets AS t JOIN marts.dim_blockfaces AS b USING (blockface_id)
                        WHERE t.issued_date >= ? AND t.issued_date < ? AND b.school_zone_id IS NOT NULL GROUP BY 1)
           SELECT z.school_zone_id, coalesce(p.days_patrolled, 0) AS days_patrolled, coalesce(t.tickets, 0) AS tickets,
                  coalesce(t.school_zone_tickets, 0) AS school_zone_tickets, coalesce(t.fines_issued, 0) AS fines_issued
           FROM zones AS z LEFT JOIN patrolled AS p USING (school_zone_id) LEFT JOIN ticketed AS t USING (school_zone_id)
           ORDER BY z.school_zone_id""", [a, b, a, b],
        {"school_zone_id": "School zone", "days_patrolled": "Days patrolled", "tickets": "Tickets on its blockfaces",
         "school_zone_tickets": "School-zone violations", "fines_issued": "Set fines"},
        {"days_patrolled": "count", "tickets": "count", "school_zone_tickets": "count", "fines_issued": "$"},
        Chart("bar", "school_zone_id", "days_patrolled", None, "Days each school zone was patrolled"))
    trend = _table(
        q, "parking_monthly_trend", f"Parking: the last {TREND_MONTHS} months",
        "Tickets issued, set fines and parking revenue (sessions and meters) per month, to compare the "
        "period with the same month a year before; blank before the warehouse's first month.",
        ("fct_tickets", "fct_revenue_daily"),
        """WITH months AS (SELECT CAST(m AS DATE) AS month FROM range(CAST(? AS DATE), CAST(? AS DATE), INTERVAL 1 MONTH) AS r(m)),
           t AS (SELECT date_trunc('month', issued_date) AS month, count(*) AS tickets, sum(fine_amount) AS fines_issued
                 FROM marts.fct_tickets GROUP BY 1),
           r AS (SELECT date_trunc('month', day) AS month, round(sum(revenue), 2) AS parking_revenue FROM marts.fct_revenue_daily
                 WHERE revenue_stream IN ('pay_by_plate', 'meter') GROUP BY 1)
           SELECT strftime(m.month, '%Y-%m') AS month,
                  CASE WHEN m.month >= (SELECT min(month) FROM t) THEN coalesce(t.tickets, 0) END AS tickets,
                  CASE WHEN m.month >= (SELECT min(month) FROM t) THEN coalesce(t.fines_issued, 0) END AS fines_issued,
                  CASE WHEN m.month >= (SELECT min(month) FROM r) THEN coalesce(r.parking_revenue, 0) END AS parking_revenue
           FROM months AS m LEFT JOIN t ON t.month = m.month LEFT JOIN r ON r.month = m.month ORDER BY m.month""", [t0, t1],
        {"month": "Month", "tickets": "Tickets", "fines_issued": "Set fines", "parking_revenue": "Parking revenue"},
        {"tickets": "count", "fines_issued": "$", "parking_revenue": "$"}, Chart("line", "month", "tickets", None, "Tickets per month"))
    return [
        Section("parking_revenue", "Parking", "Revenue", [revenue]),
        Section("parking_tickets", "Parking", "Tickets by type and ward", [by_type, by_ward]),
        Section("parking_disputes", "Parking", "Disputes", [disputes]),
        Section("parking_collections", "Parking", "Collections and plate denials", [collections, notices]),
        Section("parking_enforcement", "Parking", "ALPR and manual enforcement", [enforcement]),
        Section("parking_school_zones", "Parking", "School zones", [school]),
        Section("parking_trends", "Parking", "Trends", [trend]),
    ]


def bylaw_sections(q: Query, p: Period, threshold: int, starts: dict[str, dt.date | None]) -> list[Section]:
    a, b = p.start, p.end
    year_before = starts["bylaw"] is not None and starts["bylaw"] <= p.shifted_years(-1).start  # else blank, not 0
    t0, t1 = _trend_bounds(p)
    sup = dict(threshold=threshold)
    by_type = _table(
        q, "bylaw_complaints_by_type", "Complaints by type",
        "Complaints received in the period by the type the caller or resident chose, against the same "
        "months a year before (blank where the warehouse holds no data for them; all wards).",
        ("fct_bylaw_complaint_trends",),
        """SELECT request_type, sum(complaints) AS complaints,
                  CASE WHEN ? THEN sum(complaints_prior_year) END AS complaints_prior_year
           FROM marts.fct_bylaw_complaint_trends WHERE month >= ? AND month < ? GROUP BY request_type
           HAVING sum(complaints) > 0 ORDER BY complaints DESC, request_type""", [year_before, a, b],
        {"request_type": "Complaint type", "complaints": "Complaints", "complaints_prior_year": "A year before"},
        {"complaints": "count", "complaints_prior_year": "count"}, Chart("bar", "request_type", "complaints", None, "Complaints by type"),
        suppress=("complaints", ("complaints_prior_year",)), **sup)
    by_channel = _table(
        q, "bylaw_complaints_by_channel", "Complaints by channel",
        "Complaints received in the period by how they came in (311 phone, online portal, e-mail, walk-in).",
        ("fct_complaints",),
        """SELECT channel, count(*) AS complaints, count(*) FILTER (WHERE is_anonymous) AS anonymous
           FROM marts.fct_complaints WHERE received_date >= ? AND received_date < ? GROUP BY ALL ORDER BY complaints DESC""", [a, b],
        {"channel": "Channel", "complaints": "Complaints", "anonymous": "Of which anonymous"},
        {"complaints": "count", "anonymous": "count"}, Chart("bar", "channel", "complaints", None, "Complaints by channel"),
        suppress=("complaints", ("anonymous",)), **sup)
    by_ward = _table(
        q, "bylaw_complaints_by_ward", "Complaints by ward",
        "Complaints received in the period by the ward of the property complained about (assessment roll); "
        "'unknown': no property matched.",
        ("fct_bylaw_complaint_trends",),
        f"""SELECT ward, sum(complaints) AS complaints,
                   CASE WHEN ? THEN sum(complaints_prior_year) END AS complaints_prior_year
           FROM marts.fct_bylaw_complaint_trends WHERE month >= ? AND month < ? GROUP BY ward
           HAVING sum(complaints) > 0 ORDER BY {WARD_ORDER}""", [year_before, a, b],
        {"ward": "Ward", "complaints": "Complaints", "complaints_prior_year": "A year before"},
        {"complaints": "count", "complaints_prior_year": "count"}, Chart("ward_map", "ward", "complaints", None, "Complaints by ward"),
        suppress=("complaints", ("complaints_prior_year",)), **sup)
    outcomes = _table(
        q, "bylaw_case_outcomes", "Case outcomes",
        "Cases closed in the period by bylaw type and how they ended (voluntary compliance, compliance with "
        "an order, remediation by the City, prosecution, dismissed), with the mean days from opening to closing.",
        ("fct_case_lifecycle",),
        """SELECT bylaw_type, outcome, count(*) AS cases_closed, round(avg(resolution_days), 1) AS avg_resolution_days
           FROM marts.fct_case_lifecycle WHERE closed_date >= ? AND closed_date < ? GROUP BY ALL ORDER BY bylaw_type, outcome""", [a, b],
        {"bylaw_type": "Bylaw type", "outcome": "Outcome", "cases_closed": "Cases closed",
         "avg_resolution_days": "Average days to resolve"},
        {"cases_closed": "count", "avg_resolution_days": "days"}, Chart("bar", "bylaw_type", "cases_closed", "outcome", "Cases closed by outcome"),
        suppress=("cases_closed", ("avg_resolution_days",)), **sup)
    sla = _table(
        q, "bylaw_sla", "Service levels",
        "Cases opened in the period by bylaw type: first inspections and resolutions within the type's "
        "targets (seed bylaw_sla_targets); a case not yet inspected or closed counts as late once its target has passed.",
        ("fct_bylaw_sla_monthly",),
        """SELECT bylaw_type, sum(cases_opened) AS cases_opened,
                  round(100.0 - 100.0 * sum(inspection_sla_breaches) / nullif(sum(cases_opened), 0), 1) AS inspected_on_time_pct,
                  round(100.0 - 100.0 * sum(resolution_sla_breaches) / nullif(sum(cases_opened), 0), 1) AS resolved_on_time_pct,
                  sum(open_past_resolution_sla) AS open_past_target
           FROM marts.fct_bylaw_sla_monthly WHERE opened_month >= ? AND opened_month < ? GROUP BY ALL ORDER BY bylaw_type""", [a, b],
        {"bylaw_type": "Bylaw type", "cases_opened": "Cases opened", "inspected_on_time_pct": "Inspected on time %",
         "resolved_on_time_pct": "Resolved on time %", "open_past_target": "Open past target"},
        {"cases_opened": "count", "inspected_on_time_pct": "%", "resolved_on_time_pct": "%", "open_past_target": "count"},
        suppress=("cases_opened", ("inspected_on_time_pct", "resolved_on_time_pct", "open_past_target")), **sup)
    compliance = _table(
        q, "bylaw_order_compliance", "Notice and order compliance",
        "Compliance notices and orders issued in the period by type, by the verdict of their first "
        "re-inspection after the deadline; pending: not yet re-inspected.",
        ("fct_bylaw_order_compliance_monthly",),
        """SELECT notice_type, sum(notices_issued) AS notices_issued, sum(complied) AS complied,
                  sum(not_complied) AS not_complied, sum(pending) AS pending, sum(complied_by_deadline) AS complied_by_deadline,
                  round(100.0 * sum(complied) / nullif(sum(complied) + sum(not_complied), 0), 1) AS compliance_pct
           FROM marts.fct_bylaw_order_compliance_monthly WHERE issued_month >= ? AND issued_month < ? GROUP BY ALL
           ORDER BY notice_type""", [a, b],
        {"notice_type": "Notice", "notices_issued": "Issued", "complied": "Complied", "not_complied": "Not complied",
         "pending": "Pending", "complied_by_deadline": "Complied by the deadline", "compliance_pct": "Compliance %"},
        {"notices_issued": "count", "complied": "count", "not_complied": "count", "pending": "count",
         "complied_by_deadline": "count", "compliance_pct": "%"},
        suppress=("notices_issued", ("complied", "not_complied", "pending", "complied_by_deadline", "compliance_pct")), **sup)
    remediation = _table(
        q, "bylaw_remediation", "Remediation costs and recovery",
        "Remedial work the City had done at the owner's cost, ordered in the period, by ward: its cost and "
        "what has been recovered so far (invoice, then the tax roll).",
        ("fct_bylaw_remediation_works",),
        f"""SELECT ward, count(*) AS works, round(sum(cost), 2) AS cost, round(sum(recovered_amount), 2) AS recovered,
                  round(sum(outstanding_amount), 2) AS outstanding, count(*) FILTER (WHERE is_on_tax_roll) AS on_tax_roll
           FROM marts.fct_bylaw_remediation_works WHERE ordered_date >= ? AND ordered_date < ? GROUP BY ward ORDER BY {WARD_ORDER}""", [a, b],
        {"ward": "Ward", "works": "Works", "cost": "Cost", "recovered": "Recovered", "outstanding": "Outstanding",
         "on_tax_roll": "Added to the tax roll"},
        {"works": "count", "cost": "$", "recovered": "$", "outstanding": "$", "on_tax_roll": "count"},
        suppress=("works", ("cost", "recovered", "outstanding", "on_tax_roll")), **sup)
    cost = _table(
        q, "bylaw_cost_per_case", "Cost per case by bylaw type",
        "Cases closed in the period by bylaw type: officer time (inspections and notices at the configured "
        "hourly cost) plus unrecovered remediation, divided by the cases closed.",
        ("fct_bylaw_cost_per_case",),
        """SELECT bylaw_type, sum(cases_closed) AS cases_closed, round(sum(officer_hours), 1) AS officer_hours,
                  round(sum(officer_cost), 2) AS officer_cost, round(sum(remediation_cost), 2) AS remediation_cost,
                  round(sum(remediation_recovered), 2) AS remediation_recovered, round(sum(total_cost), 2) AS total_cost,
                  round(sum(total_cost) / nullif(sum(cases_closed), 0), 2) AS cost_per_case
           FROM marts.fct_bylaw_cost_per_case WHERE closed_month >= ? AND closed_month < ? GROUP BY ALL ORDER BY bylaw_type""", [a, b],
        {"bylaw_type": "Bylaw type", "cases_closed": "Cases closed", "officer_hours": "Officer hours", "officer_cost": "Officer cost",
         "remediation_cost": "Remediation cost", "remediation_recovered": "Recovered", "total_cost": "Total cost",
         "cost_per_case": "Cost per case"},
        {"cases_closed": "count", "officer_hours": "hours", "officer_cost": "$", "remediation_cost": "$",
         "remediation_recovered": "$", "total_cost": "$", "cost_per_case": "$"},
        Chart("bar", "bylaw_type", "cost_per_case", None, "Cost per case"),
        suppress=("cases_closed", ("officer_hours", "officer_cost", "remediation_cost", "remediation_recovered",
                                   "total_cost", "cost_per_case")), **sup)
    trend = _table(
        q, "bylaw_monthly_trend", f"Bylaw: the last {TREND_MONTHS} months",
        "Complaints received, cases opened and cases closed per month; blank before the warehouse's first month.",
        ("fct_complaints", "fct_case_lifecycle"),
        """WITH months AS (SELECT CAST(m AS DATE) AS month FROM range(CAST(? AS DATE), CAST(? AS DATE), INTERVAL 1 MONTH) AS r(m)),
           c AS (SELECT date_trunc('month', received_date) AS month, count(*) AS complaints FROM marts.fct_complaints GROUP BY 1),
           o AS (SELECT date_trunc('month', opened_date) AS month, count(*) AS cases_opened FROM marts.fct_case_lifecycle GROUP BY 1),
           x AS (SELECT date_trunc('month', closed_date) AS month, count(*) AS cases_closed FROM marts.fct_case_lifecycle
                 WHERE closed_date IS NOT NULL GROUP BY 1)
           SELECT strftime(m.month, '%Y-%m') AS month,
                  CASE WHEN m.month >= (SELECT min(month) FROM c) THEN coalesce(c.complaints, 0) END AS complaints,
                  CASE WHEN m.month >= (SELECT min(month) FROM o) THEN coalesce(o.cases_opened, 0) END AS cases_opened,
                  CASE WHEN m.month >= (SELECT min(month) FROM o) THEN coalesce(x.cases_closed, 0) END AS cases_closed
           FROM months AS m LEFT JOIN c ON c.month = m.month LEFT JOIN o ON o.month = m.month
           LEFT JOIN x ON x.month = m.month ORDER BY m.month""", [t0, t1],
        {"month": "Month", "complaints": "Complaints", "cases_opened": "Cases opened", "cases_closed": "Cases closed"},
        {"complaints": "count", "cases_opened": "count", "cases_closed": "count"},
        Chart("line", "month", "complaints", None, "Complaints per month"))
    return [
        Section("bylaw_complaints", "Bylaw", "Complaints by type, channel and ward", [by_type, by_channel, by_ward]),
        Section("bylaw_cases", "Bylaw", "Case outcomes and service levels", [outcomes, sla]),
        Section("bylaw_compliance", "Bylaw", "Order compliance", [compliance]),
        Section("bylaw_remediation", "Bylaw", "Remediation costs and recovery", [remediation]),
        Section("bylaw_costs", "Bylaw", "Cost per case", [cost]),
        Section("bylaw_trends", "Bylaw", "Trends", [trend]),
    ]


SECTION_TITLES: dict[str, str] = {
    "parking_revenue": "Parking · Revenue", "parking_tickets": "Parking · Tickets by type and ward",
    "parking_disputes": "Parking · Disputes", "parking_collections": "Parking · Collections and plate denials",
    "parking_enforcement": "Parking · ALPR and manual enforcement", "parking_school_zones": "Parking · School zones",
    "parking_trends": "Parking · Trends", "bylaw_complaints": "Bylaw · Complaints by type, channel and ward",
    "bylaw_cases": "Bylaw · Case outcomes and service levels", "bylaw_compliance": "Bylaw · Order compliance",
    "bylaw_remediation": "Bylaw · Remediation costs and recovery", "bylaw_costs": "Bylaw · Cost per case",
    "bylaw_trends": "Bylaw · Trends",
}


def available_months(q: Query) -> list[dt.date]:
    """First days of the months the warehouse holds data for, newest first."""
    starts = [d for d in _coverage_start(q).values() if d is not None]
    end = _as_date(_data_as_of(q))
    if not starts or end is None:
        return []
    months, m = [], dt.date(min(starts).year, min(starts).month, 1)
    while m <= end:
        months.append(m)
        m = add_months(m, 1)
    return months[::-1]


def latest_month(q: Query) -> Period:
    """The last month the warehouse holds to its end (the month before, while one is in progress)."""
    from apps.reports.period import latest_complete_month

    as_of = _as_date(_data_as_of(q))
    if as_of is None:
        raise ValueError("the serving snapshot says nothing about its data's date: run `civic pipeline run`")
    return latest_complete_month(as_of)


def ward_geography(q: Query) -> pd.DataFrame | None:
    """Ward polygons (WKT) for the maps, when the warehouse has them."""
    if not _has_table(q, "marts.dim_wards"):
        return None
    df = q("SELECT ward, geometry_wkt FROM marts.dim_wards WHERE geometry_wkt IS NOT NULL AND ward <> 'unknown'", [])
    return df if not df.empty else None


def build_report(period: Period, query: Query | None = None, sections: Sequence[str] | None = None,
                 min_count: int | None = None, now: dt.datetime | None = None) -> Report:
    """The report for ``period`` from the serving snapshot (or ``query``); ``sections``
    limits it to those keys of ``SECTION_TITLES`` (default: all)."""
    q = query or snapshot_query()
    unknown = sorted(set(sections or ()) - set(SECTION_TITLES))
    if unknown:
        raise ValueError(f"unknown report section(s) {unknown}; known: {sorted(SECTION_TITLES)}")
    threshold = privacy.min_count() if min_count is None else min_count
    starts = _coverage_start(q)
    wanted = set(sections or SECTION_TITLES)
    # a group's tables are read only when one of its sections is wanted
    built = [*(parking_sections(q, period, threshold) if any(k.startswith("parking_") for k in wanted) else []),
             *(bylaw_sections(q, period, threshold, starts) if any(k.startswith("bylaw_") for k in wanted) else [])]
    known = [d for d in starts.values() if d is not None]
    return Report(period, now or dt.datetime.now(dt.timezone.utc), _data_as_of(q),
                  summary_table(q, period, threshold, starts), [s for s in built if s.key in wanted], threshold,
                  ward_geography(q), min(known) if known else None)
