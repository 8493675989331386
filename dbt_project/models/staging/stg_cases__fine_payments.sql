-- Payments of bylaw fines (AMPs and Part I tickets, notices of type amp / part_i_ticket).
with src as (
    {{ dedup_latest(source('raw', 'bylaw_fine_payments'), ['payment_id']) }}
)
select
    cast(payment_id as varchar)         as payment_id,
    cast(notice_id as varchar)          as notice_id,
    cast(case_id as varchar)            as case_id,
    cast(paid_at as timestamptz)        as paid_at,
    {{ local_date('paid_at') }}         as paid_date,
    cast(amount as double)              as amount,
    channel,
    _batch_id,
    _delivered_on
from src
