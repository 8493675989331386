-- Bylaw case KPIs per local day.
--   open_cases:         cases opened on or before the day and not closed by its end
--   avg_resolution_days: mean days opened->closed of cases closed in the window of
--                       var('kpi_window_days') days ending that day (NULL when none)
-- A case with status 'closed' but no closed_at is treated as closed on the day it was
-- opened (never counted open) and left out of resolution times.
{%- set window_days = var('kpi_window_days', 30) %}
with days as (
    select day from {{ ref('int_days_spined') }}
),
cases as (
    select
        case_id,
        opened_at,
        opened_date,
        closed_at,
        closed_date,
        case
            when closed_date is not null then greatest(closed_date, opened_date)
            when status = 'closed' then opened_date
        end as closed_effective_date,
        case when closed_at is not null
             then greatest(0.0, {{ days_between('opened_at', 'closed_at') }}) end as resolution_days
    from {{ ref('stg_cases__cases') }}
    where opened_date is not null
),
opened as (
    select opened_date as day, count(*) as n from cases group by 1
),
closed as (
    select closed_effective_date as day, count(*) as n from cases
    where closed_effective_date is not null group by 1
),
resolved as (
    select closed_date as day, count(*) as n, sum(resolution_days) as total_days
    from cases
    where resolution_days is not null
    group by 1
),
daily as (
    select
        d.day,
        coalesce(o.n, 0)            as opened,
        coalesce(c.n, 0)            as closed,
        coalesce(r.n, 0)            as resolved,
        coalesce(r.total_days, 0.0) as resolution_days
    from days as d
    left join opened as o using (day)
    left join closed as c using (day)
    left join resolved as r using (day)
),
rolling as (
    select
        day,
        opened,
        closed,
        sum(opened) over w_running - sum(closed) over w_running           as open_cases,
        sum(resolved) over w_trailing                                   as resolved_in_window,
        sum(resolution_days) over w_trailing                            as resolution_days_in_window
    from daily
    window
        w_running as (order by day rows between unbounded preceding and current row),
        w_trailing as (order by day rows between {{ window_days - 1 }} preceding and current row)
)
select
    day,
    cast(opened as bigint)              as cases_opened,
    cast(closed as bigint)              as cases_closed,
    cast(open_cases as bigint)          as open_cases,
    cast(resolved_in_window as bigint)  as cases_resolved_in_window,
    case when resolved_in_window > 0
         then resolution_days_in_window / resolved_in_window end as avg_resolution_days
from rolling
