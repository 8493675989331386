with src as (
    {{ dedup_latest(source('raw', 'ticket_disputes'), ['dispute_id']) }}
)
select
    cast(dispute_id as varchar)         as dispute_id,
    cast(ticket_number as varchar)      as ticket_id,
    cast(filed_at as timestamptz)       as filed_at,
    {{ local_date('filed_at') }}        as filed_date,
    channel,
    grounds,
    _batch_id,
    _delivered_on
from src
