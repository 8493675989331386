with src as (
    {{ dedup_latest(source('raw', 'school_zones'), ['school_zone_id']) }}
)
select
    cast(school_zone_id as varchar)     as school_zone_id,
    school_name,
    geometry                            as geometry_wkt,
    cast(_centroid_lat as double)       as centroid_lat,
    cast(_centroid_lon as double)       as centroid_lon,
    _batch_id,
    _delivered_on
from src
