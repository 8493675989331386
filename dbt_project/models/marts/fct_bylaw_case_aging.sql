-- Open bylaw cases at the end of the as-of day, by bylaw type, priority, ward, current
-- status and age bucket (0-7, 8-30, 31-90, 91-180, over 180 days since opening).
select
    as_of_date,
    bylaw_type,
    priority,
    ward,
    current_status,
    aging_bucket,
    cast(count(*) as bigint)                                        as open_cases,
    cast(count(*) filter (where is_resolution_sla_breached) as bigint) as past_resolution_sla,
    cast(count(*) filter (where is_reinspection_due) as bigint)     as reinspection_due,
    avg(age_days)                                                   as avg_age_days,
    max(age_days)                                                   as max_age_days
from {{ ref('fct_case_lifecycle') }}
where is_open
group by all
