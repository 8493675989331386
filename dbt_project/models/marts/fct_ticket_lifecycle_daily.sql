-- Tickets by status at the end of every local day, from the first issue day to the as-of
-- day, every status on every day (zeros included): how many tickets were in the status,
-- how many entered it that day, and their amounts. From fct_ticket_status_history by
-- adding +1 on a state's first day and -1 on the day it ended (no tickets x days join).
{%- set statuses = ticket_statuses() %}
with history as (
    select * from {{ ref('fct_ticket_status_history') }}
    -- superseded on the day it began: never the state at the end of a day
    where valid_to_date is null or valid_to_date > valid_from_date
),
bounds as (
    select min(issued_date) as first_day, max(as_of_date) as last_day
    from {{ ref('fct_ticket_lifecycle') }}
),
days as (
    select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as day
    from bounds
    where first_day is not null and last_day >= first_day
),
statuses as (
    select * from (values
        {%- for s in statuses %}
        ('{{ s }}', {{ loop.index }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as s(status, status_order)
),
deltas as (
    select status, day, sum(n) as n, sum(due) as due, sum(paid) as paid, sum(outstanding) as outstanding
    from (
        select status, valid_from_date as day, 1 as n, amount_due as due, amount_paid as paid,
               amount_outstanding as outstanding
        from history
        union all
        select status, valid_to_date, -1, -amount_due, -amount_paid, -amount_outstanding
        from history
        where valid_to_date is not null
    )
    group by status, day
),
entered as (
    -- new status that day, however briefly (amount-only changes within a status are not
    -- entries): 'issued' entries are the tickets issued that day
    select status, valid_from_date as day, count(*) as n
    from {{ ref('fct_ticket_status_history') }}
    where previous_status is distinct from status
    group by status, valid_from_date
),
grid as (
    select
        d.day, s.status, s.status_order,
        coalesce(x.n, 0) as dn, coalesce(x.due, 0) as ddue, coalesce(x.paid, 0) as dpaid,
        coalesce(x.outstanding, 0) as doutstanding, coalesce(e.n, 0) as entered
    from days as d
    cross join statuses as s
    left join deltas as x on x.day = d.day and x.status = s.status
    left join entered as e on e.day = d.day and e.status = s.status
)
select
    day,
    status,
    cast(status_order as integer)                                                 as status_order,
    cast(sum(dn) over w as bigint)                                                as tickets,
    cast(entered as bigint)                                                       as tickets_entered,
    round(sum(ddue) over w, 2)                                                    as amount_due,
    round(sum(dpaid) over w, 2)                                                   as amount_paid,
    round(sum(doutstanding) over w, 2)                                            as amount_outstanding
from grid
window w as (partition by status order by day rows between unbounded preceding and current row)
