-- SLA performance of bylaw cases by the month they were opened, bylaw type, priority and
-- ward (from fct_case_lifecycle, targets from the seed bylaw_sla_targets).
--   inspection_breach_pct: cases whose first inspection came (or, not yet inspected, is
--     already) later than the target, over the cases opened
--   resolution_breach_pct: cases closed later than the target or still open past it, over
--     the cases opened
select
    cast(date_trunc('month', opened_date) as date)                  as opened_month,
    bylaw_type,
    priority,
    ward,
    cast(count(*) as bigint)                                        as cases_opened,
    cast(count(first_inspection_at) as bigint)                      as cases_inspected,
    cast(count(*) filter (where is_inspection_sla_breached) as bigint) as inspection_sla_breaches,
    cast(count(closed_at) as bigint)                                as cases_closed,
    cast(count(*) filter (where is_resolution_sla_breached) as bigint) as resolution_sla_breaches,
    cast(count(*) filter (where is_open and is_resolution_sla_breached) as bigint) as open_past_resolution_sla,
    round(100.0 * count(*) filter (where is_inspection_sla_breached) / count(*), 2) as inspection_breach_pct,
    round(100.0 * count(*) filter (where is_resolution_sla_breached) / count(*), 2) as resolution_breach_pct,
    avg(days_to_first_inspection)                                   as avg_days_to_first_inspection,
    avg(resolution_days)                                            as avg_resolution_days,
    max(sla_first_inspection_days)                                  as sla_first_inspection_days,
    max(sla_resolution_days)                                        as sla_resolution_days
from {{ ref('fct_case_lifecycle') }}
group by all
