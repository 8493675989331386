-- One row per handheld ticket issued on or before the as-of day: where it stands now
-- (current status and amounts, from fct_ticket_status_history) and how it got there
-- (payments, early-payment discount, dispute path and outcome, the schedule's notices,
-- from int_ticket_events_unioned). Legacy tickets have no lifecycle data and are not here.
with tickets as (
    select * from {{ ref('fct_tickets') }} where source_system = 'handheld'
),
history as (
    select * from {{ ref('fct_ticket_status_history') }}
),
events as (
    select * from {{ ref('int_ticket_events_unioned') }}
),

current_state as (
    select * from history where is_current
),

history_facts as (
    select
        ticket_id,
        count(*)                                                        as status_changes,
        min(valid_from) filter (where status = 'paid')                  as paid_in_full_at,
        min(valid_from) filter (where status = 'cancelled')             as cancelled_at
    from history
    group by ticket_id
),

event_facts as (
    select
        ticket_id,
        max(as_of_date)                                                                 as as_of_date,
        count(*) filter (where event_type = 'payment')                                  as payments_count,
        count(*) filter (where event_type = 'payment' and is_partial_payment)          as partial_payments_count,
        string_agg(distinct channel, ',' order by channel) filter (where event_type = 'payment') as payment_channels,
        min(event_at) filter (where event_type = 'payment')                             as first_paid_at,
        max(event_at) filter (where event_type = 'payment')                             as last_paid_at,
        coalesce(sum(amount) filter (where event_type = 'early_payment_discount'), 0)  as discount_amount,
        count(*) filter (where event_type = 'early_payment_discount') > 0              as discount_applied,
        count(*) filter (where event_type = 'dispute_filed')                            as disputes_count,
        min(event_date) filter (where event_type = 'dispute_filed')                     as dispute_filed_date,
        arg_min(channel, event_at) filter (where event_type = 'dispute_filed')          as dispute_channel,
        min(event_date) filter (where event_type = 'screening_decision')                as screening_date,
        arg_min(decision_outcome, event_at) filter (where event_type = 'screening_decision') as screening_outcome,
        max(event_date) filter (where event_type = 'hearing_decision')                  as hearing_date,
        arg_max(decision_outcome, event_at) filter (where event_type = 'hearing_decision')   as hearing_outcome,
        string_agg(case when event_type in ('screening_decision', 'hearing_decision')
                        then replace(event_type, '_decision', '') || ':' || decision_outcome end,
                   ' > ' order by event_at, event_order)                               as decisions_path,
        count(*) filter (where is_final_decision)                                       as disputes_decided,
        arg_max(decision_outcome, event_at) filter (where is_final_decision)            as final_outcome,
        max(event_date) filter (where is_final_decision)                                as dispute_decided_date,
        min(event_date) filter (where event_type = 'reminder_notice')                   as reminder_date,
        min(event_date) filter (where event_type = 'demand_notice')                     as demand_date,
        min(event_date) filter (where event_type = 'plate_denial')                      as plate_denial_date,
        min(event_date) filter (where event_type = 'written_off')                       as written_off_date
    from events
    group by ticket_id
)

select
    t.ticket_id,
    t.issued_at,
    t.issued_date,
    t.bylaw_code,
    t.violation_type,
    t.issue_method,
    t.detection_source,
    t.zone_id,
    t.officer_id,
    t.plate_pseudonym,
    t.province,
    t.fine_amount,

    c.status                                                            as current_status,
    c.valid_from                                                        as status_since,
    c.valid_from_date                                                   as status_since_date,
    c.status in ('paid', 'cancelled', 'written_off')                    as is_closed,
    cast(h.status_changes as integer)                                   as status_changes,

    c.amount_due,
    c.amount_paid,
    c.amount_outstanding,
    c.amount_overpaid,
    c.amount_written_off,
    e.discount_applied,
    round(e.discount_amount, 2)                                         as discount_amount,
    t.issued_date + cast({{ var('early_payment_days', 15) }} as integer) as early_payment_deadline,

    cast(e.payments_count as integer)                                   as payments_count,
    cast(e.partial_payments_count as integer)                           as partial_payments_count,
    e.payment_channels,
    e.first_paid_at,
    e.last_paid_at,
    h.paid_in_full_at,
    {{ local_date('h.paid_in_full_at') }}                               as paid_in_full_date,
    cast({{ local_date('h.paid_in_full_at') }} - t.issued_date as integer) as days_to_pay,
    h.paid_in_full_at is not null and e.reminder_date is not null
        and {{ local_date('h.paid_in_full_at') }} >= e.reminder_date     as paid_after_notice,

    e.disputes_count > 0                                                as is_disputed,
    e.dispute_filed_date,
    e.dispute_channel,
    e.screening_date,
    e.screening_outcome,
    e.hearing_date,
    e.hearing_outcome,
    case
        when e.disputes_count = 0 then null
        when e.disputes_decided < e.disputes_count then 'pending'
        else e.final_outcome
    end                                                                 as dispute_outcome,
    case
        when e.disputes_count = 0 then null
        else 'disputed'
             || coalesce(' > ' || e.decisions_path, '')
             || case when e.disputes_decided < e.disputes_count then ' > pending' else '' end
    end                                                                 as dispute_path,
    case when e.disputes_count > 0 and e.disputes_decided = e.disputes_count
         then cast(e.dispute_decided_date - e.dispute_filed_date as integer) end as dispute_days,
    {{ local_date('h.cancelled_at') }}                                  as cancelled_date,

    e.reminder_date,
    e.demand_date,
    e.plate_denial_date,
    e.written_off_date,
    e.as_of_date
from tickets as t
inner join current_state as c on c.ticket_id = t.ticket_id
inner join history_facts as h on h.ticket_id = t.ticket_id
inner join event_facts as e on e.ticket_id = t.ticket_id
