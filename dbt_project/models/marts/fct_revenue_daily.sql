-- Revenue by local day, zone and channel: pay-by-plate sessions (vendor A: app / web / sms;
-- vendor B: phone / ivr / kiosk) by their start day, meter payments (coin / card) by the
-- meter's zone, and ticket (penalty) payments by the ticket's zone (online / in_person /
-- mail / ivr). Dollars. zone_id '-1' = not known (a zone code the GIS does not know, a meter
-- not in the inventory, a ticket with no zone, e.g. a legacy import or an unknown ticket).
-- Per day the rows add up to fct_daily_kpis.revenue_total (tests/assert_revenue_daily_reconciles.sql).
with zones as (
    select zone_id from {{ ref('dim_zones') }} where not is_unknown
),

sessions as (
    select
        s.started_date                              as day,
        coalesce(z.zone_id, '-1')                   as zone_id,
        'pay_by_plate'                              as revenue_stream,
        s.vendor                                    as source,
        coalesce(s.channel, 'unknown')              as channel,
        s.amount
    from {{ ref('stg_paybyplate__sessions') }} as s
    left join zones as z on z.zone_id = s.zone_code
),

meter_zones as (
    select meter_id, any_value(zone_id) as zone_id from {{ ref('stg_meters__meters') }} group by meter_id
),

meters as (
    select
        e.occurred_date                             as day,
        coalesce(z.zone_id, '-1')                   as zone_id,
        'meter'                                     as revenue_stream,
        'meters'                                    as source,
        replace(e.event_type, 'payment_', '')       as channel,
        e.payment_amount                            as amount
    from {{ ref('stg_meters__events') }} as e
    left join meter_zones as m using (meter_id)
    left join zones as z on z.zone_id = m.zone_id
    where e.is_payment
),

ticket_payments as (
    select
        p.paid_date                                 as day,
        coalesce(z.zone_id, '-1')                   as zone_id,
        'ticket_payment'                            as revenue_stream,
        'ticket_payments'                           as source,
        coalesce(p.channel, 'unknown')              as channel,
        p.amount
    from {{ ref('fct_ticket_payments') }} as p
    left join {{ ref('fct_tickets') }} as t using (ticket_id)
    left join zones as z on z.zone_id = t.zone_id
),

unioned as (
    select * from sessions
    union all select * from meters
    union all select * from ticket_payments
)

select
    day,
    zone_id,
    revenue_stream,
    source,
    channel,
    cast(count(*) as bigint)                        as transactions,
    cast(coalesce(sum(amount), 0) as double)        as revenue
from unioned
where day is not null
group by all
