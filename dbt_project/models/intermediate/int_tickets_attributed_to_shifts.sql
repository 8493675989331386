-- Handheld tickets with the officer shift they were written in: the shift of the ticket's
-- officer whose [shift_start, shift_end) holds issued_at (the latest-starting one if two
-- overlap). shift_id is NULL for a ticket written outside any scheduled shift of its
-- officer, so every ticket stays visible. Legacy imports carry no officer and are left out.
-- Joins on UTC day buckets, as in int_plate_reads_aggregated_by_shift.
with shift_days as (
    select
        shift_id, officer_id, shift_start, shift_end,
        unnest(range(
            cast(floor(epoch(shift_start) / 86400) as bigint),
            cast(floor(epoch(shift_end) / 86400) as bigint) + 1
        )) as day_bucket
    from {{ ref('stg_staff__shifts') }}
    where shift_id is not null and officer_id is not null
      and shift_start is not null and shift_end > shift_start
),

tickets as (
    select
        ticket_id, issued_at, issued_date, officer_id, zone_id, blockface_id,
        bylaw_code, violation_type, fine_amount, plate_pseudonym,
        issue_method, detection_source,
        cast(floor(epoch(issued_at) / 86400) as bigint) as day_bucket
    from {{ ref('fct_tickets') }}
    where source_system = 'handheld'
),

matched as (
    select t.ticket_id, sd.shift_id
    from tickets as t
    join shift_days as sd
      on sd.officer_id = t.officer_id
     and sd.day_bucket = t.day_bucket
     and t.issued_at >= sd.shift_start
     and t.issued_at < sd.shift_end
    qualify row_number() over (partition by t.ticket_id order by sd.shift_start desc, sd.shift_id) = 1
)

select
    t.ticket_id,
    m.shift_id,
    t.issued_at,
    t.issued_date,
    t.officer_id,
    t.zone_id,
    t.blockface_id,
    t.bylaw_code,
    t.violation_type,
    t.fine_amount,
    t.plate_pseudonym,
    t.issue_method,
    t.detection_source
from tickets as t
left join matched as m using (ticket_id)
