-- One row per local day from the first to the last day of any data (int_days_spined).
-- Revenue in dollars; percentages 0-100; windows of var('kpi_window_days') days end on
-- (and include) the day.
with days as (
    select day from {{ ref('int_days_spined') }}
),
sessions as (
    select started_date as day, sum(amount) as revenue
    from {{ ref('stg_paybyplate__sessions') }} group by 1
),
meter_payments as (
    select occurred_date as day, sum(payment_amount) as revenue
    from {{ ref('stg_meters__events') }} where is_payment group by 1
),
ticket_payments as (
    select
        paid_date as day,
        sum(amount) as revenue,
        count(*) filter (where channel = 'online') as online_payments
    from {{ ref('fct_ticket_payments') }} group by 1
),
tickets as (
    select issued_date as day, count(*) as tickets_issued
    from {{ ref('fct_tickets') }} group by 1
),
reads as (
    -- plate reads: every read (matched or not); occupancy: mean over observed blockface-hours
    select
        day,
        sum(reads) as plate_reads,
        avg(occupancy_pct) as avg_occupancy_pct
    from {{ ref('int_plate_reads_aggregated_hourly') }}
    group by 1
),
inspections as (
    select inspected_date as day, count(*) as inspections
    from {{ ref('stg_cases__inspections') }} group by 1
),
complaints as (
    select received_date as day, count(*) as complaints_received
    from {{ ref('fct_complaints') }} group by 1
)
select
    d.day,
    cast(coalesce(s.revenue, 0) as double)                          as revenue_sessions,
    cast(coalesce(m.revenue, 0) as double)                          as revenue_meters,
    cast(coalesce(p.revenue, 0) as double)                          as revenue_ticket_payments,
    cast(coalesce(s.revenue, 0) + coalesce(m.revenue, 0) + coalesce(p.revenue, 0) as double) as revenue_total,
    cast(coalesce(u.meter_uptime_pct, 100.0) as double)             as meter_uptime_pct,
    cast(coalesce(t.tickets_issued, 0) as bigint)                   as tickets_issued,
    cast(r.avg_occupancy_pct as double)                             as avg_occupancy_pct,
    cast(coalesce(c.open_cases, 0) as bigint)                       as open_cases,
    cast(c.avg_resolution_days as double)                           as avg_resolution_days,
    cast(coalesce(i.inspections, 0) as bigint)                      as inspections,
    cast(o.order_compliance_pct as double)                          as order_compliance_pct,
    cast(coalesce(cm.complaints_received, 0) as bigint)             as complaints_received,
    cast(coalesce(r.plate_reads, 0) as bigint)                      as plate_reads,
    cast(coalesce(p.online_payments, 0) as bigint)                  as online_payments
from days as d
left join sessions as s using (day)
left join meter_payments as m using (day)
left join ticket_payments as p using (day)
left join {{ ref('int_meter_uptime_aggregated_daily') }} as u using (day)
left join tickets as t using (day)
left join reads as r using (day)
left join {{ ref('int_cases_aggregated_daily') }} as c using (day)
left join inspections as i using (day)
left join {{ ref('int_orders_compliance_aggregated_daily') }} as o using (day)
left join complaints as cm using (day)
