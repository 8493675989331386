with src as (
    {{ dedup_latest(source('raw', 'inspections'), ['inspection_id']) }}
)
select
    cast(inspection_id as varchar)      as inspection_id,
    cast(case_id as varchar)            as case_id,
    cast(inspected_at as timestamptz)   as inspected_at,
    {{ local_date('inspected_at') }}    as inspected_date,
    cast(officer_id as varchar)         as officer_id,
    inspection_type,
    result,
    notes,
    _batch_id,
    _delivered_on
from src
