-- Enforcement zones, plus the unknown member '-1' for facts whose zone is not in the GIS.
with zones as (
    select zone_id, zone_name, geometry_wkt, centroid_lat, centroid_lon
    from {{ ref('stg_gis__zones') }}
    where zone_id is not null and zone_id <> '-1'
),
blockfaces as (
    select zone_id, count(*) as blockfaces, sum(spaces) as spaces, count(*) filter (where is_paid) as paid_blockfaces
    from {{ ref('stg_gis__blockfaces') }}
    group by zone_id
),
meters as (
    select zone_id, count(*) as meters from {{ ref('stg_meters__meters') }} group by zone_id
)
select
    z.zone_id,
    z.zone_name,
    cast(coalesce(b.blockfaces, 0) as bigint)       as blockfaces,
    cast(coalesce(b.paid_blockfaces, 0) as bigint)  as paid_blockfaces,
    cast(coalesce(b.spaces, 0) as bigint)           as spaces,
    cast(coalesce(m.meters, 0) as bigint)           as meters,
    z.centroid_lat,
    z.centroid_lon,
    z.geometry_wkt,
    false                                           as is_unknown
from zones as z
left join blockfaces as b using (zone_id)
left join meters as m using (zone_id)

union all

select '-1', 'unknown', 0, 0, 0, 0, null, null, null, true
