-- Per shift, the tickets by type add up to fct_officer_shifts.tickets_issued (and fines).
with by_type as (
    select shift_id, sum(tickets) as tickets, sum(fines_issued) as fines
    from {{ ref('fct_officer_shift_tickets_by_type') }}
    group by shift_id
)
select s.shift_id, s.tickets_issued, coalesce(b.tickets, 0) as tickets_by_type
from {{ ref('fct_officer_shifts') }} as s
left join by_type as b using (shift_id)
where s.tickets_issued <> coalesce(b.tickets, 0)
   or abs(s.fines_issued - coalesce(b.fines, 0)) > 0.005
