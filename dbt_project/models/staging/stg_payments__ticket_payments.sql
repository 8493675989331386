with src as (
    {{ dedup_latest(source('raw', 'ticket_payments'), ['payment_id']) }}
)
select
    cast(payment_id as varchar)         as payment_id,
    cast(ticket_number as varchar)      as ticket_id,
    cast(paid_at as timestamptz)        as paid_at,
    {{ local_date('paid_at') }}         as paid_date,
    cast(amount as double)              as amount,
    channel,
    reference,
    _batch_id,
    _delivered_on,
    cast(_landed_at as timestamptz)     as _landed_at
from src
