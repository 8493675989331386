-- Tickets written in each parking-enforcement shift, by violation type (the long companion
-- of fct_officer_shifts.tickets_issued: per shift, the rows sum to it). One row per shift
-- and violation type that had at least one ticket.
with shifts as (
    select shift_id, shift_date, officer_id, zone_id, mode, enforcement_type
    from {{ ref('fct_officer_shifts') }}
)
select
    s.shift_id,
    s.shift_date,
    s.officer_id,
    s.zone_id,
    s.mode,
    s.enforcement_type,
    coalesce(t.violation_type, 'unknown')                       as violation_type,
    cast(count(*) as bigint)                                    as tickets,
    cast(count(*) filter (where t.detection_source = 'alpr') as bigint)   as tickets_alpr,
    cast(count(*) filter (where t.detection_source = 'manual') as bigint) as tickets_manual,
    cast(coalesce(sum(t.fine_amount), 0) as double)             as fines_issued
from {{ ref('int_tickets_attributed_to_shifts') }} as t
join shifts as s using (shift_id)
group by all
