-- Order compliance per local day: among orders to comply whose case got a re-inspection
-- in the var('kpi_window_days') days ending that day, the share whose latest such
-- re-inspection found the property 'complied'. A re-inspection is attributed to the
-- latest order_to_comply of its case issued at or before it (ASOF join), so a case with
-- two orders does not count one re-inspection twice. NULL when no order qualifies.
{%- set window_days = var('kpi_window_days', 30) %}
with orders as (
    select notice_id, case_id, issued_at
    from {{ ref('stg_cases__notices') }}
    where notice_type = 'order_to_comply' and issued_at is not null
),
reinspections as (
    select inspection_id, case_id, inspected_at, inspected_date, result
    from {{ ref('stg_cases__inspections') }}
    where inspection_type = 're_inspection' and inspected_at is not null
),
attributed as (
    select r.inspection_id, r.inspected_at, r.inspected_date, r.result, o.notice_id
    from reinspections as r
    asof join orders as o
      on o.case_id = r.case_id
     and r.inspected_at >= o.issued_at
),
windowed as (
    -- each re-inspection counts on its own day and the following window_days - 1 days
    select
        a.notice_id,
        a.inspected_at,
        a.inspection_id,
        a.result,
        cast(unnest(generate_series(a.inspected_date, a.inspected_date + {{ window_days - 1 }}, interval 1 day)) as date) as day
    from attributed as a
),
per_order as (
    select
        day,
        notice_id,
        arg_max(result, {'at': inspected_at, 'id': inspection_id}) as latest_result
    from windowed
    group by day, notice_id
),
per_day as (
    select
        day,
        count(*)                                    as orders_reinspected,
        count(*) filter (where latest_result = 'complied') as orders_complied
    from per_order
    group by day
)
select
    d.day,
    cast(coalesce(p.orders_reinspected, 0) as bigint)   as orders_reinspected,
    cast(coalesce(p.orders_complied, 0) as bigint)      as orders_complied,
    case when p.orders_reinspected > 0
         then 100.0 * p.orders_complied / p.orders_reinspected end as order_compliance_pct
from {{ ref('int_days_spined') }} as d
left join per_day as p using (day)
