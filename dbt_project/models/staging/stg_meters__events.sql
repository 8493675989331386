{{ config(materialized='view') }}
-- Meter events (a view: about a million rows a year). payment_*: amount = dollars paid, detail = minutes bought;
-- fault/repair: detail = fault code; rate_change: amount = the new hourly rate.
with src as (
    {{ dedup_latest(source('raw', 'meter_events'), ['event_id']) }}
)
select
    cast(event_id as varchar)                                   as event_id,
    cast(meter_id as varchar)                                   as meter_id,
    event_type,
    event_type in ('payment_coin', 'payment_card')              as is_payment,
    cast(occurred_at as timestamptz)                            as occurred_at,
    {{ local_date('occurred_at') }}                             as occurred_date,
    cast(amount as double)                                      as amount,
    case when event_type in ('payment_coin', 'payment_card')
         then cast(amount as double) end                        as payment_amount,
    case when event_type in ('payment_coin', 'payment_card')
         then try_cast(detail as bigint) end                    as minutes_purchased,
    case when event_type in ('fault', 'repair') then detail end as fault_code,
    case when event_type = 'rate_change'
         then cast(amount as double) end                        as new_rate_per_hour,
    detail,
    -- the plate keyed in at a pay-by-plate meter (payments only)
    case when event_type in ('payment_coin', 'payment_card')
         then nullif(upper(trim(plate)), '') end                as plate,
    _batch_id,
    _delivered_on,
    cast(_landed_at as timestamptz)                             as _landed_at
from src
