-- On every day the statuses together hold every ticket issued by then, and the latest day
-- agrees with fct_ticket_lifecycle's current statuses and outstanding amounts.
with daily as (
    select day, sum(tickets) as tickets, sum(amount_outstanding) as outstanding
    from {{ ref('fct_ticket_lifecycle_daily') }}
    group by day
),
issued as (
    select d.day, count(l.ticket_id) as tickets
    from daily as d
    left join {{ ref('fct_ticket_lifecycle') }} as l on l.issued_date <= d.day
    group by d.day
),
latest as (
    select status, tickets, amount_outstanding
    from {{ ref('fct_ticket_lifecycle_daily') }}
    where day = (select max(day) from {{ ref('fct_ticket_lifecycle_daily') }})
),
current_counts as (
    select current_status as status, count(*) as tickets, sum(amount_outstanding) as amount_outstanding
    from {{ ref('fct_ticket_lifecycle') }}
    group by current_status
)
select 'day ' || d.day as problem
from daily as d join issued as i on i.day = d.day
where d.tickets <> i.tickets
union all
select 'status ' || coalesce(l.status, c.status)
from latest as l
full join current_counts as c on c.status = l.status
where coalesce(l.tickets, 0) <> coalesce(c.tickets, 0)
   or abs(coalesce(l.amount_outstanding, 0) - coalesce(c.amount_outstanding, 0)) > 0.01
