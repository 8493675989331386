-- Municipal wards (council districts): one polygon per ward, the latest delivery of each.
-- ward is the ward as the assessment roll names it ('Ward 3'); ward_name falls back to it.
with src as (
    {{ dedup_latest(source('raw', 'wards'), ['ward']) }}
)
select
    cast(ward as varchar)                               as ward,
    coalesce(nullif(trim(name), ''), cast(ward as varchar)) as ward_name,
    geometry                                            as geometry_wkt,
    cast(_centroid_lat as double)                       as centroid_lat,
    cast(_centroid_lon as double)                       as centroid_lon,
    _batch_id,
    _delivered_on
from src
