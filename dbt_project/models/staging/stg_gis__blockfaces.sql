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
    coalesce(cast(rush_hour_route as boolean), false)   as is_rush_hour_route,
    coalesce(cast(snow_route as boolean), false)        as is_snow_route,
    -- restricted stretches of kerb, metres along the line from its first vertex
    cast(hydrant_at_m as double)        as hydrant_at_m,
    cast(accessible_from_m as double)   as accessible_from_m,
    cast(accessible_to_m as double)     as accessible_to_m,
    cast(no_stopping_from_m as double)  as no_stopping_from_m,
    cast(no_stopping_to_m as double)    as no_stopping_to_m,
    cast(no_parking_from_m as double)   as no_parking_from_m,
    cast(no_parking_to_m as double)     as no_parking_to_m,
    geometry                            as geometry_wkt,
    cast(_centroid_lat as double)       as centroid_lat,
    cast(_centroid_lon as double)       as centroid_lon,
    _batch_id,
    _delivered_on
from src
