{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
    on_schema_change='sync_all_columns'
) }}
-- Meter events. payment_*: amount = dollars paid, detail = minutes bought;
-- fault/repair: detail = fault code; rate_change: amount = the new hourly rate.
-- Incremental: a dozen models and tests read the events each build; as a view each of them
-- deduplicated the whole year again. A build adds the batches landed since the last one.
with typed as (
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
        _row_number,
        _delivered_on,
        cast(_landed_at as timestamptz)                             as _landed_at
    from {{ source('raw', 'meter_events') }}
    where {{ landed_since_last_build() }}
)
{{ dedup_latest_incremental('typed', 'event_id') }}
