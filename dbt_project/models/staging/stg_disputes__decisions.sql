with src as (
    {{ dedup_latest(source('raw', 'dispute_decisions'), ['decision_id']) }}
)
select
    cast(decision_id as varchar)        as decision_id,
    cast(dispute_id as varchar)         as dispute_id,
    cast(ticket_number as varchar)      as ticket_id,
    review_level,
    cast(decided_at as timestamptz)     as decided_at,
    {{ local_date('decided_at') }}      as decided_date,
    outcome,
    cast(new_amount as double)          as new_amount,
    decided_by,
    _batch_id,
    _delivered_on
from src
