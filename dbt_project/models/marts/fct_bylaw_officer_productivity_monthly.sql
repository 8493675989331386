-- Bylaw officers' output per month: inspections done (by the inspecting officer),
-- notices, orders and fines issued (notices carry no officer: each is credited to the
-- officer of the case's latest inspection at or before it, else the case's assigned
-- officer), cases assigned (by opening month) and cases closed (assigned officer, by
-- closing month). Up to the as-of day.
with events as (
    select * from {{ ref('int_case_events_unioned') }}
),
cases as (
    select case_id, assigned_officer_id, opened_date, closed_date from {{ ref('fct_case_lifecycle') }}
),
inspections as (
    select case_id, event_at, event_date, event_type, coalesce(officer_id, 'unknown') as officer_id
    from events where event_type in ('initial_inspection', 're_inspection')
),
notices as (
    select n.case_id, n.event_at, n.event_date, n.event_type,
           coalesce(i.officer_id, c.assigned_officer_id, 'unknown') as officer_id
    from events as n
    inner join cases as c using (case_id)
    asof left join inspections as i on i.case_id = n.case_id and i.event_at <= n.event_at
    where n.event_type in ('compliance_notice', 'order_to_comply', 'amp', 'part_i_ticket')
),
activity as (
    select officer_id, event_date as day, 1 as inspections,
           case when event_type = 'initial_inspection' then 1 else 0 end as initial_inspections,
           case when event_type = 're_inspection' then 1 else 0 end as re_inspections,
           0 as notices_issued, 0 as orders_issued, 0 as fines_issued, 0 as cases_assigned, 0 as cases_closed
    from inspections
    union all
    select officer_id, event_date, 0, 0, 0,
           case when event_type = 'compliance_notice' then 1 else 0 end,
           case when event_type = 'order_to_comply' then 1 else 0 end,
           case when event_type in ('amp', 'part_i_ticket') then 1 else 0 end, 0, 0
    from notices
    union all
    select coalesce(assigned_officer_id, 'unknown'), opened_date, 0, 0, 0, 0, 0, 0, 1, 0 from cases
    union all
    select coalesce(assigned_officer_id, 'unknown'), closed_date, 0, 0, 0, 0, 0, 0, 0, 1 from cases
    where closed_date is not null
)
select
    a.officer_id,
    cast(date_trunc('month', a.day) as date)    as month,
    o.badge_number,
    cast(sum(a.inspections) as bigint)          as inspections,
    cast(sum(a.initial_inspections) as bigint)  as initial_inspections,
    cast(sum(a.re_inspections) as bigint)       as re_inspections,
    cast(sum(a.notices_issued) as bigint)       as notices_issued,
    cast(sum(a.orders_issued) as bigint)        as orders_issued,
    cast(sum(a.fines_issued) as bigint)         as fines_issued,
    cast(sum(a.cases_assigned) as bigint)       as cases_assigned,
    cast(sum(a.cases_closed) as bigint)         as cases_closed
from activity as a
left join {{ ref('stg_staff__officers') }} as o using (officer_id)
group by all
