-- fct_revenue_daily adds up, day by day, to fct_daily_kpis' revenue (total and per stream).
with by_day as (
    select
        day,
        sum(revenue)                                                    as total,
        coalesce(sum(revenue) filter (where revenue_stream = 'pay_by_plate'), 0)   as sessions,
        coalesce(sum(revenue) filter (where revenue_stream = 'meter'), 0)          as meters,
        coalesce(sum(revenue) filter (where revenue_stream = 'ticket_payment'), 0) as ticket_payments
    from {{ ref('fct_revenue_daily') }}
    group by day
)
select k.day, k.revenue_total, coalesce(b.total, 0) as revenue_daily_total
from {{ ref('fct_daily_kpis') }} as k
full join by_day as b using (day)
where abs(coalesce(k.revenue_total, 0) - coalesce(b.total, 0)) > 0.005
   or abs(coalesce(k.revenue_sessions, 0) - coalesce(b.sessions, 0)) > 0.005
   or abs(coalesce(k.revenue_meters, 0) - coalesce(b.meters, 0)) > 0.005
   or abs(coalesce(k.revenue_ticket_payments, 0) - coalesce(b.ticket_payments, 0)) > 0.005
