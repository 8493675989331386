-- The blockfaces each ALPR shift passed: one row per shift and blockface read on, with the
-- first and last read there. Ordered by first_read_at it is the shift's route as driven
-- (the route planner's page compares it with the plan); its share of the zone's
-- blockfaces is the shift's coverage. No plates: counts only, so it outlives the purge.
with shifts as (
    select shift_id, shift_date, officer_id, zone_id, mode
    from {{ ref('fct_officer_shifts') }}
)
select
    s.shift_id,
    s.shift_date,
    s.officer_id,
    s.zone_id,
    s.mode,
    p.blockface_id,
    b.zone_id = s.zone_id                           as in_shift_zone,
    p.first_read_at,
    p.last_read_at,
    cast(p.reads as bigint)                         as reads,
    cast(p.vehicles as bigint)                      as vehicles
from {{ ref('int_plate_reads_aggregated_by_shift') }} as p
join shifts as s using (shift_id)
left join {{ ref('dim_blockfaces') }} as b using (blockface_id)
where p.blockface_id is not null and p.blockface_id <> '-1'
