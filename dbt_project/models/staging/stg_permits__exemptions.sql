with src as (
    {{ dedup_latest(source('raw', 'exemptions'), ['exemption_id']) }}
)
select
    cast(exemption_id as varchar)       as exemption_id,
    upper(trim(plate))                  as plate,
    {{ plate_pseudonym('plate') }}      as plate_pseudonym,
    upper(trim(province))               as province,
    reason,
    cast(zone_id as varchar)            as zone_id,
    cast(valid_from as date)            as valid_from,
    cast(valid_to as date)              as valid_to,
    _batch_id,
    _delivered_on
from src
