with src as (
    {{ dedup_latest(source('raw', 'meters'), ['meter_id']) }}
)
select
    cast(meter_id as varchar)        as meter_id,
    cast(blockface_id as varchar)    as blockface_id,
    cast(zone_id as varchar)         as zone_id,
    cast(spaces as bigint)           as spaces,
    cast(rate_per_hour as double)    as rate_per_hour,
    cast(max_minutes as bigint)      as max_minutes,
    cast(installed_on as date)       as installed_on,
    cast(lat as double)              as lat,
    cast(lon as double)              as lon,
    _batch_id,
    _delivered_on
from src
