-- Meter fault intervals: from the first fault while the meter was up to the next repair.
-- Repeated faults before a repair extend the same interval (no double counting); repairs
-- without a preceding fault are ignored. A fault still open at the end of the data runs
-- to the end of the last day of the date spine (is_open = true).
with status_events as (
    select meter_id, event_id, event_type, occurred_at, fault_code
    from {{ ref('stg_meters__events') }}
    where event_type in ('fault', 'repair') and occurred_at is not null
),
flagged as (
    select
        *,
        case when event_type = 'fault'
              and coalesce(lag(event_type) over w, 'repair') = 'repair'
             then 1 else 0 end as starts_fault
    from status_events
    window w as (partition by meter_id order by occurred_at, event_id)
),
grouped as (
    select
        *,
        sum(starts_fault) over (
            partition by meter_id order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as fault_seq
    from flagged
),
intervals as (
    select
        meter_id,
        fault_seq,
        arg_min(event_id, occurred_at) filter (where event_type = 'fault')   as fault_event_id,
        arg_min(fault_code, occurred_at) filter (where event_type = 'fault') as fault_code,
        min(occurred_at) filter (where event_type = 'fault')                 as fault_started_at,
        min(occurred_at) filter (where event_type = 'repair')                as repaired_at,
        count(*) filter (where event_type = 'fault')                         as fault_events
    from grouped
    where fault_seq > 0
    group by meter_id, fault_seq
),
horizon as (
    select max(day_end_at) as data_end_at from {{ ref('int_days_spined') }}
)
select
    i.meter_id,
    i.fault_seq,
    i.fault_event_id,
    i.fault_code,
    i.fault_started_at,
    i.repaired_at,
    coalesce(i.repaired_at, greatest(h.data_end_at, i.fault_started_at)) as fault_ended_at,
    i.repaired_at is null                                                 as is_open,
    i.fault_events
from intervals as i
cross join horizon as h
