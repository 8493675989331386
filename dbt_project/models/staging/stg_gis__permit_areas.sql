with src as (
    {{ dedup_latest(source('raw', 'permit_areas'), ['permit_area_id']) }}
)
select
    cast(permit_area_id as varchar)     as permit_area_id,
    name                                as permit_area_name,
    geometry                            as geometry_wkt,
    cast(_centroid_lat as double)       as centroid_lat,
    cast(_centroid_lon as double)       as centroid_lon,
    _batch_id,
    _delivered_on
from src
