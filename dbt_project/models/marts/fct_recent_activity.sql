-- The 200 most recent operational events for the activity feed. No personal
-- information: no plates, no complainants, no free text from the public.
with tickets as (
    select ticket_id, zone_id from {{ ref('fct_tickets') }}
),
meters as (
    select meter_id, zone_id from {{ ref('stg_meters__meters') }}
),
events as (
    select
        'ticket:' || t.ticket_id                                as activity_id,
        t.issued_at                                             as activity_at,
        'alpr_violation_detected'                               as activity_type,
        'ALPR violation detected'                               as title,
        concat_ws(' — ', coalesce(t.violation_type, t.bylaw_code), t.location_text) as detail,
        t.zone_id,
        'fct_tickets'                                           as source_model
    from {{ ref('fct_tickets') }} as t
    where t.detection_source = 'alpr' and t.issued_at is not null

    union all
    select
        'permit:' || p.permit_id,
        p.issued_at,
        'permit_approved',
        'Permit approved',
        concat_ws(' — ', upper(left(p.permit_type, 1)) || substr(p.permit_type, 2) || ' permit', 'area ' || p.permit_area_id),
        cast(null as varchar),
        'stg_permits__permits'
    from {{ ref('stg_permits__permits') }} as p
    where p.status = 'approved' and p.issued_at is not null

    union all
    select
        'meter_event:' || e.event_id,
        e.occurred_at,
        case e.event_type when 'fault' then 'meter_fault' else 'pricing_change' end,
        case e.event_type when 'fault' then 'Meter fault' else 'Pricing change' end,
        case e.event_type
            when 'fault' then concat_ws(' — ', 'Meter ' || e.meter_id, e.fault_code)
            else 'Meter ' || e.meter_id || ' rate now $' || printf('%.2f', e.new_rate_per_hour) || '/h'
        end,
        m.zone_id,
        'stg_meters__events'
    from {{ ref('stg_meters__events') }} as e
    left join meters as m using (meter_id)
    where e.event_type in ('fault', 'rate_change') and e.occurred_at is not null

    union all
    select
        'payment:' || p.payment_id,
        p.paid_at,
        'online_payment',
        'Online payment',
        '$' || printf('%.2f', p.amount) || ' for ticket ' || p.ticket_id,
        t.zone_id,
        'fct_ticket_payments'
    from {{ ref('fct_ticket_payments') }} as p
    left join tickets as t using (ticket_id)
    where p.channel = 'online' and p.paid_at is not null

    union all
    select
        'complaint:' || c.complaint_id,
        c.received_at,
        'complaint_received',
        'Complaint received',
        concat_ws(' — ', c.request_type, 'via ' || replace(c.channel, '_', ' ')),
        cast(null as varchar),
        'fct_complaints'
    from {{ ref('fct_complaints') }} as c
    where c.received_at is not null

    union all
    select
        'notice:' || n.notice_id,
        n.issued_at,
        'order_issued',
        'Order to comply issued',
        concat_ws(' — ', 'Case ' || n.case_id, n.bylaw_section),
        cast(null as varchar),
        'stg_cases__notices'
    from {{ ref('stg_cases__notices') }} as n
    where n.notice_type = 'order_to_comply' and n.issued_at is not null
)
select
    activity_id,
    activity_at,
    activity_type,
    title,
    detail,
    zone_id,
    source_model
from events
order by activity_at desc, activity_id
limit 200
