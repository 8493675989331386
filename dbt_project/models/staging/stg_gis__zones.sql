with src as (
    {{ dedup_latest(source('raw', 'zones'), ['zone_id']) }}
)
select
    cast(zone_id as varchar)            as zone_id,
    name                                as zone_name,
    geometry                            as geometry_wkt,
    cast(_centroid_lat as double)       as centroid_lat,
    cast(_centroid_lon as double)       as centroid_lon,
    _batch_id,
    _delivered_on
from src
