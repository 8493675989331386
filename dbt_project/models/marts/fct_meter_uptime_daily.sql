-- Meter uptime per local day and zone: the share of meter-hours not inside a fault->repair
-- interval (fct_meter_faults / int_meter_faults_sessionized), with the same rules as the
-- city-wide int_meter_uptime_aggregated_daily, which these rows add up to (meters in
-- service, meter-hours and fault hours; tests/assert_meter_uptime_reconciles.sql):
-- meters in service on a day = inventory meters installed on or before it (unknown date:
-- always) plus meters only seen in events (zone '-1'); a day has 23/24/25 hours (DST).
-- Days: from the first day of meter events to the last day of data. No fault: 100.
with days as (
    select d.day, d.day_start_at, d.day_end_at, d.day_hours
    from {{ ref('int_days_spined') }} as d
    where d.day >= (select min(occurred_date) from {{ ref('stg_meters__events') }})
),
zones as (select zone_id from {{ ref('dim_zones') }} where not is_unknown),
meters as (
    select meter_id, min(installed_on) as installed_on, max(zone_id) as zone_id
    from (
        select meter_id, installed_on, zone_id from {{ ref('stg_meters__meters') }}
        union all
        select distinct meter_id, cast(null as date), cast(null as varchar) from {{ ref('stg_meters__events') }}
    )
    where meter_id is not null
    group by meter_id
),
meter_zones as (
    select m.meter_id, coalesce(m.installed_on, date '0001-01-01') as installed_on, coalesce(z.zone_id, '-1') as zone_id
    from meters as m
    left join zones as z on z.zone_id = m.zone_id
),
in_service as (
    select d.day, m.zone_id, count(*) as meters_in_service
    from days as d
    join meter_zones as m on m.installed_on <= d.day
    group by all
),
faults as (
    select f.meter_id, f.fault_started_at, f.fault_ended_at, f.repaired_at, m.zone_id
    from {{ ref('int_meter_faults_sessionized') }} as f
    left join meter_zones as m using (meter_id)
),
fault_hours as (
    select
        d.day,
        coalesce(f.zone_id, '-1') as zone_id,
        sum(greatest(0, {{ hours_between(
            'greatest(f.fault_started_at, d.day_start_at)',
            'least(f.fault_ended_at, d.day_end_at)') }}))                 as fault_hours,
        count(distinct f.meter_id)                                          as meters_faulted,
        count(*) filter (where f.fault_started_at >= d.day_start_at
                           and f.fault_started_at < d.day_end_at)           as faults_started,
        count(*) filter (where f.repaired_at >= d.day_start_at
                           and f.repaired_at < d.day_end_at)                as repairs
    from faults as f
    join days as d
      on f.fault_started_at < d.day_end_at
     and f.fault_ended_at > d.day_start_at
    group by all
),
grid as (
    select day, zone_id from in_service
    union
    select day, zone_id from fault_hours
)
select
    g.day,
    g.zone_id,
    cast(coalesce(s.meters_in_service, 0) as bigint)                    as meters_in_service,
    cast(coalesce(s.meters_in_service, 0) * d.day_hours as double)      as meter_hours,
    cast(coalesce(f.fault_hours, 0.0) as double)                        as fault_hours,
    cast(coalesce(f.meters_faulted, 0) as bigint)                       as meters_faulted,
    cast(coalesce(f.faults_started, 0) as bigint)                       as faults_started,
    cast(coalesce(f.repairs, 0) as bigint)                              as repairs,
    cast(case
        when coalesce(f.fault_hours, 0) = 0 then 100.0
        when coalesce(s.meters_in_service, 0) * d.day_hours <= 0 then 0.0
        else round(greatest(0.0, least(100.0,
            100.0 * (1 - f.fault_hours / (s.meters_in_service * d.day_hours)))), 6)
    end as double)                                                      as meter_uptime_pct
from grid as g
join days as d using (day)
left join in_service as s using (day, zone_id)
left join fault_hours as f using (day, zone_id)
