-- Each handheld ticket with the moment it was settled (paid in full or cancelled) and what
-- is still outstanding: the scofflaw rule counts a plate's tickets unpaid at a read's time
-- (int_plate_reads_evaluated).
--   amount due   = the set fine, or the amount of the latest 'reduced' decision;
--   settled_at   = the first payment that brings the payments to the amount due, or the
--                  'cancelled' decision, whichever came first (null: still open);
--   amount_outstanding = amount due - payments so far (0 once settled).
with tickets as (
    select ticket_id, plate, issued_at, fine_amount
    from {{ ref('stg_handheld__tickets') }}
    where ticket_id is not null and issued_at is not null
),
decisions as (
    select
        ticket_id,
        min(decided_at) filter (where outcome = 'cancelled')            as cancelled_at,
        arg_max(new_amount, decided_at) filter (where outcome = 'reduced') as reduced_amount
    from {{ ref('stg_disputes__decisions') }}
    group by ticket_id
),
due as (
    select
        t.*,
        coalesce(d.reduced_amount, t.fine_amount)                      as amount_due,
        d.cancelled_at
    from tickets as t
    left join decisions as d using (ticket_id)
),
running as (
    select
        p.ticket_id,
        p.paid_at,
        sum(p.amount) over (partition by p.ticket_id order by p.paid_at, p.payment_id
                            rows between unbounded preceding and current row) as paid_so_far
    from {{ ref('stg_payments__ticket_payments') }} as p
    where p.paid_at is not null
),
paid as (
    select
        d.ticket_id,
        min(r.paid_at) filter (where r.paid_so_far >= d.amount_due - 0.005) as paid_in_full_at,
        coalesce(max(r.paid_so_far), 0)                                     as paid_total
    from due as d
    join running as r using (ticket_id)
    group by d.ticket_id
)
select
    d.ticket_id,
    {{ normalize_plate('d.plate') }}                                    as plate_key,
    {{ plate_pseudonym('d.plate') }}                                    as plate_pseudonym,
    d.issued_at,
    d.fine_amount,
    d.amount_due,
    coalesce(p.paid_total, 0)                                           as paid_total,
    least(d.cancelled_at, p.paid_in_full_at)                            as settled_at,
    case when d.cancelled_at is not null or p.paid_in_full_at is not null then 0.0
         else greatest(d.amount_due - coalesce(p.paid_total, 0), 0) end as amount_outstanding
from due as d
left join paid as p using (ticket_id)
