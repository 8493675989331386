-- Every handheld ticket issued on or before the as-of day has exactly one current row in
-- fct_ticket_status_history and exactly one row in fct_ticket_lifecycle, with the same status.
with as_of as (
    select {{ ticket_lifecycle_as_of_date() }} as as_of_date
),
tickets as (
    select t.ticket_id
    from {{ ref('fct_tickets') }} as t, as_of as a
    where t.source_system = 'handheld' and t.issued_date <= a.as_of_date
),
current_rows as (
    select ticket_id, count(*) as n, min(status) as status
    from {{ ref('fct_ticket_status_history') }}
    where is_current
    group by ticket_id
),
lifecycle as (
    select ticket_id, count(*) as n, min(current_status) as status
    from {{ ref('fct_ticket_lifecycle') }}
    group by ticket_id
)
select t.ticket_id, c.n as current_rows, l.n as lifecycle_rows, c.status, l.status as lifecycle_status
from tickets as t
left join current_rows as c on c.ticket_id = t.ticket_id
left join lifecycle as l on l.ticket_id = t.ticket_id
where c.n is distinct from 1
   or l.n is distinct from 1
   or c.status is distinct from l.status
