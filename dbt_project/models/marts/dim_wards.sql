-- Municipal wards (council districts), with their area and the blockfaces and spaces in each
-- (a blockface is in the ward its midpoint lies in: int_blockfaces_warded), plus the unknown
-- member 'unknown': the blockfaces in no ward (every blockface of a city that delivers no
-- wards), so blockfaces and spaces sum to the city's.
with wards as (
    select ward, ward_name, geometry_wkt, centroid_lat, centroid_lon
    from {{ ref('stg_gis__wards') }}
    where ward is not null and ward <> 'unknown'
),
measured as (
    select ward, area_km2 from {{ ref('int_wards_measured') }}
),
blockfaces as (
    select w.ward, count(*) as blockfaces, sum(b.spaces) as spaces
    from {{ ref('stg_gis__blockfaces') }} as b
    join {{ ref('int_blockfaces_warded') }} as w using (blockface_id)
    group by w.ward
)
select
    w.ward,
    w.ward_name,
    w.geometry_wkt,
    w.centroid_lat,
    w.centroid_lon,
    m.area_km2,
    cast(coalesce(b.blockfaces, 0) as bigint)       as blockfaces,
    cast(coalesce(b.spaces, 0) as bigint)           as spaces,
    false                                           as is_unknown
from wards as w
left join measured as m using (ward)
left join blockfaces as b using (ward)

union all

select
    'unknown', 'unknown', null, null, null, null,
    cast(coalesce((select blockfaces from blockfaces where ward = 'unknown'), 0) as bigint),
    cast(coalesce((select spaces from blockfaces where ward = 'unknown'), 0) as bigint),
    true
