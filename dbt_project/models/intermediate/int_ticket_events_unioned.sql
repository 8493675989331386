-- Everything that happens to a handheld ticket, one row per event, each with its time,
-- local day and source. Recorded events come from the source systems (ticket writer,
-- payment processor, AMPS dispute intake and decisions); the schedule's events (early-
-- payment discount, reminder, demand, plate denial, write-off) are derived here from the
-- configuration in dbt_project.yml.
--
-- Schedule rules (days counted from the local issue day):
--   * early_payment_discount: payments made within var('early_payment_days') days reach
--     (100 - var('early_payment_discount_pct'))% of the amount due at the time; the event
--     sits at that payment and sets the amount due to the discounted amount. Off at 0%.
--   * reminder_notice / demand_notice / plate_denial / written_off at var('reminder_days'),
--     var('demand_days'), var('plate_denial_days'), var('write_off_days'), on the local
--     day (at 00:00) when the ticket still owes money at the start of that day, each only
--     after the one before it. A dispute pauses the clock: every day from the first filing
--     to the last final decision is added to a step that falls on or after the filing; while
--     a dispute is undecided, no later step happens.
--   * Only events on or before the as-of day (macro ticket_lifecycle_as_of_date) count.
-- Legacy (Toronto) tickets are not here: their extracts carry no payments or disputes.
with params as (
    select
        {{ ticket_lifecycle_as_of_date() }}                          as as_of_date,
        cast({{ var('early_payment_days', 15) }} as integer)        as early_days,
        cast({{ var('early_payment_discount_pct', 0) }} as double)  as discount_pct
),

tickets as (
    select t.ticket_id, t.issued_at, t.issued_date, coalesce(t.fine_amount, 0) as fine_amount
    from {{ ref('stg_handheld__tickets') }} as t
    cross join params as p
    where t.issued_at is not null and t.issued_date <= p.as_of_date
),

payments as (
    select pay.payment_id, pay.ticket_id, pay.paid_at, pay.paid_date, pay.amount, pay.channel,
           sum(pay.amount) over (partition by pay.ticket_id order by pay.paid_at, pay.payment_id
                                 rows between unbounded preceding and current row) as cum_paid
    from {{ ref('stg_payments__ticket_payments') }} as pay
    inner join tickets as t on t.ticket_id = pay.ticket_id
    cross join params as p
    where pay.paid_at is not null and pay.amount is not null and pay.paid_date <= p.as_of_date
),

disputes as (
    select d.dispute_id, d.ticket_id, d.filed_at, d.filed_date, d.channel, d.grounds
    from {{ ref('stg_disputes__disputes') }} as d
    inner join tickets as t on t.ticket_id = d.ticket_id
    cross join params as p
    where d.filed_at is not null and d.filed_date <= p.as_of_date
),

decisions as (
    select
        dec.decision_id, dec.dispute_id, dec.ticket_id, dec.review_level, dec.decided_at,
        dec.decided_date, dec.outcome, dec.new_amount, dec.decided_by,
        -- the amount due this decision sets (NULL: unchanged)
        case dec.outcome when 'reduced' then dec.new_amount when 'cancelled' then 0.0 end as amount_set,
        -- the last decision known for its dispute ends the dispute
        row_number() over (partition by dec.dispute_id
                           order by dec.decided_at desc, dec.review_level = 'hearing' desc, dec.decision_id desc) = 1
                                                                    as is_final_decision
    from {{ ref('stg_disputes__decisions') }} as dec
    inner join tickets as t on t.ticket_id = dec.ticket_id
    cross join params as p
    where dec.decided_at is not null and dec.decided_date <= p.as_of_date
),

-- ---- early-payment discount -----------------------------------------------------------
decision_amounts as (
    select ticket_id, decided_at as set_at, amount_set from decisions where amount_set is not null
),
payments_with_due as (
    select pay.*, t.issued_date, coalesce(da.amount_set, t.fine_amount) as due_before
    from payments as pay
    inner join tickets as t on t.ticket_id = pay.ticket_id
    asof left join decision_amounts as da on da.ticket_id = pay.ticket_id and da.set_at <= pay.paid_at
),
discounts as (
    select
        pwd.ticket_id, pwd.payment_id, pwd.paid_at, pwd.paid_date, pwd.due_before,
        round(pwd.due_before * p.discount_pct / 100.0, 2)                    as discount_amount,
        pwd.due_before - round(pwd.due_before * p.discount_pct / 100.0, 2)   as discounted_due
    from payments_with_due as pwd
    cross join params as p
    where p.discount_pct > 0
      and pwd.due_before > 0
      and pwd.paid_date <= pwd.issued_date + p.early_days
      and pwd.cum_paid >= pwd.due_before - round(pwd.due_before * p.discount_pct / 100.0, 2) - 0.005
    qualify row_number() over (partition by pwd.ticket_id order by pwd.paid_at, pwd.payment_id) = 1
),

-- every event that sets the amount due, for "what was owed at time T" look-ups
amount_setters as (
    select ticket_id, issued_at as set_at, fine_amount as amount_due from tickets
    union all
    select ticket_id, set_at, amount_set from decision_amounts
    union all
    select ticket_id, paid_at, discounted_due from discounts
),

-- ---- the unpaid-ticket schedule -------------------------------------------------------
dispute_pause as (
    select
        d.ticket_id,
        min(d.filed_date)                                               as pause_start,
        -- NULL while any dispute of the ticket is undecided
        case when count(*) = count(f.decided_date)
             then greatest(max(f.decided_date), min(d.filed_date)) end as pause_end
    from disputes as d
    left join (select dispute_id, decided_date from decisions where is_final_decision) as f
        on f.dispute_id = d.dispute_id
    group by d.ticket_id
),
steps as (
    select step, step_order, cast(step_days as integer) as step_days
    from (values
        ('reminder_notice', 2, {{ var('reminder_days', 30) }}),
        ('demand_notice',   3, {{ var('demand_days', 60) }}),
        ('plate_denial',    4, {{ var('plate_denial_days', 90) }}),
        ('written_off',     5, {{ var('write_off_days', 730) }})
    ) as s(step, step_order, step_days)
),
step_dates as (
    select
        t.ticket_id, s.step, s.step_order, s.step_days,
        cast(coalesce(dp.pause_end - dp.pause_start, 0) as integer)      as paused_days,
        case
            when dp.pause_start is null or t.issued_date + s.step_days < dp.pause_start
                then t.issued_date + s.step_days
            when dp.pause_end is null then null   -- paused by an undecided dispute
            else t.issued_date + s.step_days + cast(dp.pause_end - dp.pause_start as integer)
        end                                                              as step_date,
        t.issued_date + s.step_days >= dp.pause_start                    as was_paused
    from tickets as t
    cross join steps as s
    left join dispute_pause as dp on dp.ticket_id = t.ticket_id
),
step_checks as (
    select sd.*, {{ from_local('sd.step_date') }} as step_at
    from step_dates as sd
    cross join params as p
    where sd.step_date is not null and sd.step_date <= p.as_of_date
),
step_paid as (
    select sc.ticket_id, sc.step, coalesce(sum(pay.amount), 0) as paid_before
    from step_checks as sc
    left join payments as pay on pay.ticket_id = sc.ticket_id and pay.paid_at < sc.step_at
    group by sc.ticket_id, sc.step
),
step_owed as (
    select
        sc.ticket_id, sc.step, sc.step_order, sc.step_days, sc.step_date, sc.step_at,
        sc.paused_days, sc.was_paused,
        round(coalesce(due.amount_due, 0) - sp.paid_before, 2)          as owed
    from step_checks as sc
    inner join step_paid as sp on sp.ticket_id = sc.ticket_id and sp.step = sc.step
    -- what was due just before the step (events at 00:00 of the day come after it)
    asof left join amount_setters as due on due.ticket_id = sc.ticket_id and due.set_at < sc.step_at
),
steps_taken as (
    select *
    from step_owed
    -- each step only after every earlier one (money owed can only go down, so this is
    -- what the dates give anyway; it guards against a misordered configuration)
    qualify min(case when owed > 0.005 then 1 else 0 end) over (
        partition by ticket_id order by step_order rows between unbounded preceding and current row) = 1
),

-- ---- all events -----------------------------------------------------------------------
unioned as (
    select
        'issued:' || ticket_id                      as event_id,
        ticket_id,
        'issued'                                    as event_type,
        1                                           as event_order,
        issued_at                                   as event_at,
        fine_amount                                 as amount,
        fine_amount                                 as amount_due_after,
        cast(null as varchar)                       as channel,
        cast(null as varchar)                       as decision_outcome,
        cast(null as varchar)                       as dispute_id,
        cast(null as boolean)                       as is_final_decision,
        cast(null as boolean)                       as is_partial_payment,
        'set fine'                                  as detail,
        'handheld'                                  as source_system,
        'stg_handheld__tickets'                     as source_model,
        ticket_id                                   as source_record_id
    from tickets

    union all
    select
        step || ':' || ticket_id,
        ticket_id,
        step,
        step_order,
        step_at,
        owed,
        null,
        null, null, null, null, null,
        'day ' || step_days || ' of the schedule'
            || case when was_paused and paused_days > 0 then ' + ' || paused_days || ' dispute days' else '' end
            || ', ' || owed || ' owed',
        'lifecycle_schedule',
        'int_ticket_events_unioned',
        null
    from steps_taken

    union all
    select
        'dispute_filed:' || dispute_id, ticket_id, 'dispute_filed', 6, filed_at, null, null,
        channel, null, dispute_id, null, null, grounds,
        'amps_dispute_intake', 'stg_disputes__disputes', dispute_id
    from disputes

    union all
    select
        'decision:' || decision_id, ticket_id,
        case when review_level = 'hearing' then 'hearing_decision' else 'screening_decision' end,
        case when review_level = 'hearing' then 8 else 7 end,
        decided_at, new_amount, amount_set,
        null, outcome, dispute_id, is_final_decision, null,
        review_level || ' ' || outcome || ' by ' || coalesce(decided_by, '?'),
        'amps_decisions', 'stg_disputes__decisions', decision_id
    from decisions

    union all
    select
        'early_payment_discount:' || ticket_id, ticket_id, 'early_payment_discount', 9, paid_at,
        discount_amount, discounted_due,
        null, null, null, null, null,
        'paid within the early-payment window',
        'lifecycle_schedule', 'int_ticket_events_unioned', payment_id
    from discounts

    union all
    select
        'payment:' || pay.payment_id, pay.ticket_id, 'payment', 10, pay.paid_at, pay.amount, null,
        pay.channel, null, null, null,
        -- partial: the payments so far (this one included) do not cover what is due
        pay.cum_paid < coalesce(d.discounted_due, pay.due_before) - 0.005,
        null,
        'payment_processor', 'stg_payments__ticket_payments', pay.payment_id
    from payments_with_due as pay
    left join discounts as d on d.ticket_id = pay.ticket_id and d.paid_at <= pay.paid_at
)

select
    event_id,
    ticket_id,
    event_type,
    event_order,
    event_at,
    {{ local_date('event_at') }}                    as event_date,
    round(amount, 2)                                as amount,
    round(amount_due_after, 2)                      as amount_due_after,
    channel,
    decision_outcome,
    dispute_id,
    is_final_decision,
    is_partial_payment,
    detail,
    source_system,
    source_model,
    source_record_id,
    (select as_of_date from params)                 as as_of_date
from unioned
