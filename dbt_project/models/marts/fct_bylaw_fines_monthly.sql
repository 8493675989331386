-- Bylaw fines (AMPs and Part I tickets: notices with a fine) issued and collected per
-- month, bylaw type and notice type.
--   fines_issued / amount_issued:     fines issued in the month
--   amount_collected_of_issued:       paid (up to the as-of day) towards the fines issued
--                                     in the month; collection_rate_pct = that / issued
--   fully_paid / partly_paid / unpaid: those fines by what has been paid so far
--   payments / amount_collected:      payments received in the month, whatever the
--                                     fine's month (cash view)
with fines as (
    select n.notice_id, n.case_id, n.event_type as notice_type, n.event_date as issued_date,
           coalesce(n.amount, 0) as fine_amount, c.bylaw_type
    from {{ ref('int_case_events_unioned') }} as n
    inner join {{ ref('fct_case_lifecycle') }} as c using (case_id)
    where n.event_type in ('amp', 'part_i_ticket')
),
payments as (
    select p.notice_id, p.event_date as paid_date, p.amount
    from {{ ref('int_case_events_unioned') }} as p
    where p.event_type = 'fine_payment'
),
paid as (
    select f.*, coalesce(sum(p.amount), 0) as paid_amount
    from fines as f
    left join payments as p using (notice_id)
    group by all
),
issued as (
    select cast(date_trunc('month', issued_date) as date) as month, bylaw_type, notice_type,
           count(*) as fines_issued, sum(fine_amount) as amount_issued,
           sum(least(paid_amount, fine_amount)) as amount_collected_of_issued,
           count(*) filter (where paid_amount >= fine_amount - 0.005) as fully_paid,
           count(*) filter (where paid_amount > 0 and paid_amount < fine_amount - 0.005) as partly_paid,
           count(*) filter (where paid_amount = 0) as unpaid
    from paid
    group by all
),
cash as (
    select cast(date_trunc('month', p.paid_date) as date) as month, f.bylaw_type, f.notice_type,
           count(*) as payments, sum(p.amount) as amount_collected
    from payments as p
    inner join fines as f using (notice_id)
    group by all
)
select
    coalesce(i.month, c.month)                          as month,
    coalesce(i.bylaw_type, c.bylaw_type)                as bylaw_type,
    coalesce(i.notice_type, c.notice_type)              as notice_type,
    cast(coalesce(i.fines_issued, 0) as bigint)         as fines_issued,
    coalesce(i.amount_issued, 0)                        as amount_issued,
    coalesce(i.amount_collected_of_issued, 0)           as amount_collected_of_issued,
    case when i.amount_issued > 0
         then round(100.0 * i.amount_collected_of_issued / i.amount_issued, 2) end as collection_rate_pct,
    cast(coalesce(i.fully_paid, 0) as bigint)           as fully_paid,
    cast(coalesce(i.partly_paid, 0) as bigint)          as partly_paid,
    cast(coalesce(i.unpaid, 0) as bigint)               as unpaid,
    cast(coalesce(c.payments, 0) as bigint)             as payments,
    coalesce(c.amount_collected, 0)                     as amount_collected
from issued as i
full outer join cash as c on c.month = i.month and c.bylaw_type = i.bylaw_type and c.notice_type = i.notice_type
