with src as (
    {{ dedup_latest(source('raw', 'officers'), ['officer_id']) }}
)
select
    cast(officer_id as varchar)         as officer_id,
    cast(badge_number as varchar)       as badge_number,
    unit,
    cast(home_zone_id as varchar)       as home_zone_id,
    specialty,
    cast(active as boolean)             as is_active,
    _batch_id,
    _delivered_on
from src
