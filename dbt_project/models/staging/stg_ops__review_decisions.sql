-- Officers' decisions on ALPR detections (the review queue), exported from the ops
-- database (warehouse/ops.py). One decision per read; a confirmed one names its ticket,
-- which arrives with the handheld tickets.
with src as (
    {{ dedup_latest(source('raw', 'review_decisions'), ['read_id']) }}
)
select
    cast(read_id as varchar)            as read_id,
    decision,
    reason,
    reason_note,
    cast(officer_id as varchar)         as officer_id,
    cast(decided_at as timestamptz)     as decided_at,
    {{ local_date('decided_at') }}      as decided_date,
    issue_method,
    cast(ticket_number as varchar)      as ticket_id,
    _batch_id,
    _delivered_on
from src
