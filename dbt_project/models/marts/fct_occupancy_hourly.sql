-- Occupancy by blockface and hour (the hours in which a patrol read the blockface):
-- int_plate_reads_aggregated_hourly without the reads matched to no blockface ('-1').
-- occupancy_pct = least(100, 100 * distinct vehicles read in the hour / spaces); hours
-- are UTC-aligned buckets (= local hours in Ontario); hour_of_day / weekday are local.
select
    h.hour_start,
    h.hour_local,
    h.day,
    cast(extract(hour from h.hour_local) as integer)    as hour_of_day,
    cast(isodow(h.day) as integer)                      as weekday,
    h.blockface_id,
    coalesce(b.zone_id, '-1')                           as zone_id,
    h.spaces,
    h.reads,
    h.distinct_plates                                   as vehicles_observed,
    cast(h.occupancy_pct as double)                     as occupancy_pct
from {{ ref('int_plate_reads_aggregated_hourly') }} as h
left join {{ ref('dim_blockfaces') }} as b using (blockface_id)
where h.blockface_id <> '-1'
