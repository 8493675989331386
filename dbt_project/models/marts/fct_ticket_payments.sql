select
    payment_id,
    ticket_id,
    paid_at,
    paid_date,
    amount,
    channel
from {{ ref('stg_payments__ticket_payments') }}
