-- Meter uptime per local day: the share of meter-hours not inside a fault->repair interval.
-- Meters in service on a day: every meter in the inventory installed on or before it
-- (unknown installation date: always), plus meters only seen in events. A day has
-- 23/24/25 hours (DST). No meters or no faults: 100. Rounded to 6 decimals.
with days as (
    select day, day_start_at, day_end_at, day_hours from {{ ref('int_days_spined') }}
),
meters as (
    select meter_id, min(installed_on) as installed_on
    from (
        select meter_id, installed_on from {{ ref('stg_meters__meters') }}
        union all
        select distinct meter_id, cast(null as date) from {{ ref('stg_meters__events') }}
    )
    where meter_id is not null
    group by meter_id
),
installs as (
    select coalesce(installed_on, date '0001-01-01') as installed_on, count(*) as meters
    from meters group by 1
),
meters_before as (
    select coalesce(sum(i.meters), 0) as meters
    from installs as i
    where i.installed_on < (select min(day) from days)
),
meters_in_service as (
    select
        d.day,
        b.meters + sum(coalesce(i.meters, 0)) over (
            order by d.day rows between unbounded preceding and current row
        ) as meters_in_service
    from days as d
    left join installs as i on i.installed_on = d.day
    cross join meters_before as b
),
fault_hours as (
    select
        d.day,
        sum(greatest(0, {{ hours_between(
            'greatest(f.fault_started_at, d.day_start_at)',
            'least(f.fault_ended_at, d.day_end_at)') }})) as fault_hours,
        count(distinct f.meter_id) as meters_faulted
    from {{ ref('int_meter_faults_sessionized') }} as f
    join days as d
      on f.fault_started_at < d.day_end_at
     and f.fault_ended_at > d.day_start_at
    group by d.day
)
select
    d.day,
    cast(m.meters_in_service as bigint)                         as meters_in_service,
    m.meters_in_service * d.day_hours                           as meter_hours,
    coalesce(f.fault_hours, 0.0)                                as fault_hours,
    cast(coalesce(f.meters_faulted, 0) as bigint)               as meters_faulted,
    case
        when coalesce(f.fault_hours, 0) = 0 then 100.0
        when m.meters_in_service * d.day_hours <= 0 then 0.0
        else round(greatest(0.0, least(100.0,
            100.0 * (1 - f.fault_hours / (m.meters_in_service * d.day_hours)))), 6)
    end                                                         as meter_uptime_pct
from days as d
left join meters_in_service as m using (day)
left join fault_hours as f using (day)
