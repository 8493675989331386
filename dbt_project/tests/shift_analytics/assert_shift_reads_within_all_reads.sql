-- Reads attributed to shifts never exceed the reads recorded per hour (both survive the
-- ALPR purge), and a shift's reads lie inside the shift.
select 'more shift reads than reads' as problem
from (select sum(reads) as n from {{ ref('int_plate_reads_aggregated_by_shift') }}) as s,
     (select sum(reads) as n from {{ ref('int_plate_reads_aggregated_hourly') }}) as h
where s.n > h.n
union all
select 'read outside its shift: ' || r.shift_id
from {{ ref('int_plate_reads_aggregated_by_shift') }} as r
join {{ ref('stg_staff__shifts') }} as s using (shift_id)
where r.first_read_at < s.shift_start or r.last_read_at >= s.shift_end
