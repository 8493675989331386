-- Per ticket the states tile time: the first begins when the ticket was issued, each ends
-- where the next begins, only the last is open, and amounts are never negative.
with h as (
    select
        h.*,
        lead(h.valid_from) over (partition by h.ticket_id order by h.status_seq) as next_from,
        max(h.status_seq) over (partition by h.ticket_id)                     as last_seq
    from {{ ref('fct_ticket_status_history') }} as h
)
select h.ticket_id, h.status_seq, h.status
from h
left join {{ ref('fct_tickets') }} as t on t.ticket_id = h.ticket_id
where (h.status_seq = 1 and (h.status <> 'issued' or h.valid_from is distinct from t.issued_at))
   or (h.status_seq < h.last_seq and h.valid_to is distinct from h.next_from)
   or (h.status_seq = h.last_seq) <> h.is_current
   or h.valid_to <= h.valid_from
   or least(h.amount_due, h.amount_paid, h.amount_outstanding, h.amount_overpaid, h.amount_written_off) < 0
