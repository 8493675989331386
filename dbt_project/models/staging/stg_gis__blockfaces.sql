with src as (
    {{ dedup_latest(source('raw', 'blockfaces'), ['blockface_id']) }}
)
select
    cast(blockface_id as varchar)       as blockface_id,
    cast(zone_id as varchar)            as zone_id,
    street,
    side,
    cast(spaces as bigint)              as spaces,
    cast(paid as boolean)               as is_paid,
    cast(time_limit_minutes as bigint)  as time_limit_minutes,
    cast(permit_area_id as varchar)     as permit_area_id,
    cast(school_zone_id as varchar)     as school_zone_id,
    geometry                            as geometry_wkt,
    cast(_centroid_lat as double)       as centroid_lat,
    cast(_centroid_lon as double)       as centroid_lon,
    _batch_id,
    _delivered_on
from src
