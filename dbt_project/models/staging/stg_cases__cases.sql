-- Bylaw cases: a current-state extract, so the latest delivery of a case wins.
with src as (
    {{ dedup_latest(source('raw', 'bylaw_cases'), ['case_id']) }}
)
select
    cast(case_id as varchar)            as case_id,
    complaint_source,
    cast(complaint_ref as varchar)      as complaint_ref,
    case complaint_source
        when 'open311'   then 'open311-' || complaint_ref
        when 'calls_311' then 'call-' || complaint_ref
    end                                 as complaint_id,
    cast(opened_at as timestamptz)      as opened_at,
    {{ local_date('opened_at') }}       as opened_date,
    bylaw_type,
    cast(roll_number as varchar)        as roll_number,
    priority,
    cast(assigned_officer_id as varchar) as assigned_officer_id,
    status,
    cast(closed_at as timestamptz)      as closed_at,
    {{ local_date('closed_at') }}       as closed_date,
    outcome,
    _batch_id,
    _delivered_on
from src
