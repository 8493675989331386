-- One row per status a bylaw case entered, in order, with when it entered and left it and
-- the trigger that moved it there. Derived from the case's events
-- (int_case_events_unioned.status_effect); the trigger of each change is looked up in the
-- seed case_status_transitions, the one definition of the state machine (a data test
-- fails on any consecutive pair of statuses that is not a row of the seed; such a row has
-- trigger NULL here).
--   * received is always the first status (events stamped before the opening count at it);
--   * an event that would re-enter the status the case is already in changes nothing;
--   * closed is terminal: events after the closure change no status.
with params as (
    select {{ case_lifecycle_as_of_date() }} as as_of_date
),

effects as (
    select
        e.*,
        max(case when e.event_type = 'case_opened' then e.event_at end) over (partition by e.case_id) as opened_at,
        min(case when e.event_type = 'case_closed' then e.event_at end) over (partition by e.case_id) as closed_at
    from {{ ref('int_case_events_unioned') }} as e
    where e.status_effect is not null
),

ordered as (
    select
        *,
        case when event_type = 'case_opened' then event_at else greatest(event_at, opened_at) end as effective_at
    from effects
    where event_type in ('case_opened', 'case_closed') or closed_at is null or event_at <= closed_at
),

sequenced as (
    select
        *,
        lag(status_effect) over w as prior_effect
    from ordered
    window w as (partition by case_id order by effective_at, event_order, event_id)
),

changes as (
    select
        case_id, status_effect as status, effective_at as entered_at,
        event_type, event_id, source_system, record_id, event_order
    from sequenced
    where prior_effect is distinct from status_effect
),

numbered as (
    select
        *,
        cast(row_number() over w as integer)    as status_seq,
        lag(status) over w                      as previous_status,
        lead(entered_at) over w                 as left_at
    from changes
    window w as (partition by case_id order by entered_at, event_order, event_id)
)

select
    n.case_id || ':' || n.status_seq                    as status_history_id,
    n.case_id,
    n.status_seq,
    n.status,
    n.previous_status,
    n.entered_at,
    n.left_at,
    {{ local_date('n.entered_at') }}                    as entered_date,
    {{ local_date('n.left_at') }}                       as left_date,
    n.left_at is null                                   as is_current,
    greatest(0.0, {{ days_between('n.entered_at', 'coalesce(n.left_at, ' ~ local_day_end('p.as_of_date') ~ ')') }})
                                                        as days_in_status,
    case when n.previous_status is null then 'case_opened' else t.trigger end as trigger,
    n.event_type                                        as trigger_event_type,
    n.event_id                                          as trigger_event_id,
    n.source_system                                     as trigger_source_system,
    n.record_id                                         as trigger_record_id
from numbered as n
cross join params as p
left join {{ ref('case_status_transitions') }} as t
  on t.from_status = n.previous_status and t.to_status = n.status
