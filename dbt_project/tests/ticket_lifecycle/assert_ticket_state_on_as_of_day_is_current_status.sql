-- The documented range lookup (macro ticket_state_on) gives exactly one state per ticket,
-- and on the as-of day that state is the ticket's current status.
with as_of as (
    select max(as_of_date) as d from {{ ref('fct_ticket_lifecycle') }}
),
state as (
    select ticket_id, count(*) as n, min(status) as status
    from {{ ticket_state_on("(select d from as_of)") }}
    group by ticket_id
)
select l.ticket_id, s.n, s.status, l.current_status
from {{ ref('fct_ticket_lifecycle') }} as l
left join state as s on s.ticket_id = l.ticket_id
where s.n is distinct from 1 or s.status is distinct from l.current_status
