-- Blockfaces (one side of one block), plus the unknown member '-1'.
-- ward: the ward polygon the blockface's midpoint lies in (int_blockfaces_warded);
-- 'unknown' outside every ward.
with zones as (
    select zone_id from {{ ref('dim_zones') }}
),
wards as (
    select w.blockface_id, d.ward
    from {{ ref('int_blockfaces_warded') }} as w
    join {{ ref('dim_wards') }} as d on d.ward = w.ward
)
select
    b.blockface_id,
    case when b.zone_id is null then '-1'
         when z.zone_id is null then '-1'
         else b.zone_id end                 as zone_id,
    coalesce(w.ward, 'unknown')             as ward,
    b.street,
    b.side,
    b.spaces,
    b.is_paid,
    b.time_limit_minutes,
    b.permit_area_id,
    b.school_zone_id,
    b.school_zone_id is not null            as is_school_zone,
    b.centroid_lat,
    b.centroid_lon,
    b.geometry_wkt,
    false                                   as is_unknown
from {{ ref('stg_gis__blockfaces') }} as b
left join zones as z on z.zone_id = b.zone_id
left join wards as w on w.blockface_id = b.blockface_id
where b.blockface_id is not null and b.blockface_id <> '-1'

union all

select '-1', '-1', 'unknown', 'unknown', null, null, null, null, null, null, false, null, null, null, true
