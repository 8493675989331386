with src as (
    {{ dedup_latest(source('raw', 'permits'), ['permit_id']) }}
)
select
    cast(permit_id as varchar)          as permit_id,
    permit_type,
    upper(trim(plate))                  as plate,
    {{ plate_pseudonym('plate') }}      as plate_pseudonym,
    upper(trim(province))               as province,
    cast(permit_area_id as varchar)     as permit_area_id,
    cast(valid_from as date)            as valid_from,
    cast(valid_to as date)              as valid_to,
    status,
    cast(issued_at as timestamptz)      as issued_at,
    {{ local_date('issued_at') }}       as issued_date,
    cast(fee as double)                 as fee,
    _batch_id,
    _delivered_on
from src
