with src as (
    {{ dedup_latest(source('raw', 'shifts'), ['shift_id']) }}
)
select
    cast(shift_id as varchar)           as shift_id,
    cast(officer_id as varchar)         as officer_id,
    cast(shift_start as timestamptz)    as shift_start,
    cast(shift_end as timestamptz)      as shift_end,
    {{ local_date('shift_start') }}     as shift_date,
    {{ hours_between('shift_start', 'shift_end') }} as shift_hours,
    cast(zone_id as varchar)            as zone_id,
    mode,
    cast(unit_id as varchar)            as unit_id,
    _batch_id,
    _delivered_on,
    cast(_landed_at as timestamptz)     as _landed_at
from src
