-- One row per meter fault: from the first fault report while the meter worked to the next
-- repair (int_meter_faults_sessionized: repeated reports extend the same fault). A fault
-- not repaired by the end of the data is open (is_open) and its duration runs to the end
-- of the last day of data.
with meters as (
    select meter_id, any_value(zone_id) as zone_id, any_value(blockface_id) as blockface_id
    from {{ ref('stg_meters__meters') }}
    group by meter_id
),
zones as (select zone_id from {{ ref('dim_zones') }} where not is_unknown),
blockfaces as (select blockface_id from {{ ref('dim_blockfaces') }} where not is_unknown)
select
    f.meter_id || '-' || cast(f.fault_seq as varchar)              as fault_id,
    f.meter_id,
    coalesce(z.zone_id, '-1')                                       as zone_id,
    coalesce(b.blockface_id, '-1')                                  as blockface_id,
    cast(f.fault_seq as bigint)                                     as fault_seq,
    f.fault_code,
    f.fault_event_id,
    f.fault_started_at,
    {{ local_date('f.fault_started_at') }}                          as fault_date,
    f.repaired_at,
    {{ local_date('f.repaired_at') }}                               as repaired_date,
    f.fault_ended_at,
    f.is_open,
    cast({{ hours_between('f.fault_started_at', 'f.fault_ended_at') }} as double) as duration_hours,
    cast(f.fault_events as bigint)                                  as fault_reports
from {{ ref('int_meter_faults_sessionized') }} as f
left join meters as m using (meter_id)
left join zones as z on z.zone_id = m.zone_id
left join blockfaces as b on b.blockface_id = m.blockface_id
