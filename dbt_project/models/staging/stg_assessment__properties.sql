-- MPAC assessment roll. owner_name is personal information: it stays in staging (bylaw
-- orders are addressed to the owner) and must never be selected into a mart.
with src as (
    {{ dedup_latest(source('raw', 'assessment_roll'), ['roll_number']) }}
)
select
    cast(roll_number as varchar)        as roll_number,
    address,
    cast(lat as double)                 as lat,
    cast(lon as double)                 as lon,
    property_class,
    owner_name,
    cast(assessed_value as bigint)      as assessed_value,
    cast(ward as varchar)               as ward,
    _batch_id,
    _delivered_on
from src
