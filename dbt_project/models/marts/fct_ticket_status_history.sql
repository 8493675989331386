-- One row per ticket per state, with the range it held: [valid_from, valid_to). A state is
-- the ticket's status and its amounts (due, paid); a new row begins with every event that
-- changes either, so two partial payments give two 'partially_paid' rows. The state at an
-- instant is the one after all events of that instant (e.g. a payment that earns the
-- early-payment discount: one 'paid' row, not a fleeting 'partially_paid').
--
-- Status after each event, first rule that holds:
--   cancelled          the last dispute decision cancelled the ticket (it ends there)
--   paid               payments cover the amount due (overpayment: amount_overpaid > 0)
--   written_off        the schedule wrote the remaining amount off
--   under_review       a dispute is filed and not screened yet (the clock is paused)
--   awaiting_hearing   screened, and a hearing decision followed (known once it is in)
--   plate_denied / demand_sent / reminder_sent   the latest notice of the schedule
--   partially_paid     some money paid after the last dispute decision (if any)
--   dispute_upheld / dispute_reduced             decided, nothing paid since
--   issued             none of the above
--
-- State on a day (end of the local day D): valid_from_date <= D and (valid_to_date is NULL
-- or valid_to_date > D) -- macro ticket_state_on(D). Rows with valid_from_date =
-- valid_to_date were superseded the same day and match no day.
with events as (
    select * from {{ ref('int_ticket_events_unioned') }}
),

running as (
    select
        e.*,
        last_value(e.amount_due_after ignore nulls) over w                          as amount_due,
        sum(case when e.event_type = 'payment' then e.amount else 0 end) over w     as amount_paid,
        last_value(e.decision_outcome ignore nulls) over w                          as last_outcome,
        sum(case when e.event_type = 'dispute_filed' then 1 else 0 end) over w       as disputes_filed,
        sum(case when e.event_type = 'screening_decision' then 1 else 0 end) over w  as disputes_screened,
        sum(case when e.is_final_decision then 1 else 0 end) over w                  as disputes_decided,
        max(case e.event_type when 'reminder_notice' then 1 when 'demand_notice' then 2
                              when 'plate_denial' then 3 end) over w                as notice_stage,
        bool_or(e.event_type = 'written_off') over w                                as is_written_off,
        last_value(case when e.event_type in ('payment', 'screening_decision', 'hearing_decision')
                        then e.event_type end ignore nulls) over w                  as last_money_event
    from events as e
    window w as (partition by e.ticket_id order by e.event_at, e.event_order, e.event_id
                 rows between unbounded preceding and current row)
),

with_status as (
    select
        *,
        case
            when last_outcome = 'cancelled' then 'cancelled'
            when amount_paid > 0 and amount_paid >= amount_due - 0.005 then 'paid'
            when is_written_off then 'written_off'
            when disputes_filed > disputes_decided then
                case when disputes_screened >= disputes_filed then 'awaiting_hearing' else 'under_review' end
            when notice_stage = 3 then 'plate_denied'
            when notice_stage = 2 then 'demand_sent'
            when notice_stage = 1 then 'reminder_sent'
            when last_money_event = 'payment' then 'partially_paid'
            when last_outcome = 'upheld' then 'dispute_upheld'
            when last_outcome = 'reduced' then 'dispute_reduced'
            else 'issued'
        end as status
    from running
),

-- the state after the last event of each instant
per_instant as (
    select *
    from with_status
    qualify row_number() over (partition by ticket_id, event_at order by event_order desc, event_id desc) = 1
),

-- keep the instants that changed the status or the amounts
changes as (
    select *
    from (
        select
            *,
            lag(status) over (partition by ticket_id order by event_at)      as prev_status,
            lag(amount_due) over (partition by ticket_id order by event_at)  as prev_due,
            lag(amount_paid) over (partition by ticket_id order by event_at) as prev_paid
        from per_instant
    )
    where prev_status is null
       or status is distinct from prev_status
       or round(amount_due, 2) is distinct from round(prev_due, 2)
       or round(amount_paid, 2) is distinct from round(prev_paid, 2)
),

ranged as (
    select
        *,
        row_number() over (partition by ticket_id order by event_at)   as status_seq,
        lag(status) over (partition by ticket_id order by event_at)    as previous_status,
        lead(event_at) over (partition by ticket_id order by event_at) as valid_to
    from changes
)

select
    ticket_id || ':' || status_seq                                  as status_history_id,
    ticket_id,
    cast(status_seq as integer)                                     as status_seq,
    status,
    previous_status,
    event_at                                                        as valid_from,
    valid_to,
    {{ local_date('event_at') }}                                    as valid_from_date,
    {{ local_date('valid_to') }}                                    as valid_to_date,
    valid_to is null                                                as is_current,
    event_type                                                      as transition_event,
    event_date                                                      as transition_date,
    source_system                                                   as transition_source_system,
    source_model                                                    as transition_source_model,
    source_record_id                                                as transition_record_id,
    detail                                                          as transition_detail,
    round(amount_due, 2)                                            as amount_due,
    round(amount_paid, 2)                                           as amount_paid,
    case when status in ('cancelled', 'written_off') then 0.0
         else round(greatest(amount_due - amount_paid, 0), 2) end   as amount_outstanding,
    round(greatest(amount_paid - amount_due, 0), 2)                 as amount_overpaid,
    case when status = 'written_off'
         then round(greatest(amount_due - amount_paid, 0), 2)
         else 0.0 end                                               as amount_written_off
from ranged
