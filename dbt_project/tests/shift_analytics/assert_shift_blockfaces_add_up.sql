-- Per shift, the blockfaces listed are the ones fct_officer_shifts counts as passed (all,
-- and in the shift's zone).
with listed as (
    select shift_id, count(*) as passed, count(*) filter (where in_shift_zone) as in_zone
    from {{ ref('fct_officer_shift_blockfaces') }}
    group by shift_id
)
select s.shift_id, s.blockfaces_passed, l.passed, s.zone_blockfaces_passed, l.in_zone
from {{ ref('fct_officer_shifts') }} as s
left join listed as l using (shift_id)
where coalesce(s.blockfaces_passed, 0) <> coalesce(l.passed, 0)
   or coalesce(s.zone_blockfaces_passed, 0) <> coalesce(l.in_zone, 0)
