{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='session_id',
    on_schema_change='sync_all_columns'
) }}
-- Pay-by-plate sessions from both vendors in one shape. Vendor A sends UTC times and
-- cents; vendor B sends a start with offset, a duration and dollars.
-- Incremental: a year is 1.5 M sessions, deduplicated once here rather than again by each
-- of the half-dozen models and tests that read it; a build adds the batches landed since
-- the last one.
with vendor_a as (
    select * from {{ source('raw', 'pbp_vendor_a_sessions') }} where {{ landed_since_last_build() }}
),
vendor_b as (
    select * from {{ source('raw', 'pbp_vendor_b_sessions') }} where {{ landed_since_last_build() }}
),
unioned as (
    select
        'A-' || session_id                                  as session_id,
        cast(session_id as varchar)                         as vendor_session_id,
        'vendor_a'                                          as vendor,
        plate_number                                        as plate,
        province                                            as province,
        zone_code                                           as zone_code,
        cast(start_time_utc as timestamptz)                 as started_at,
        cast(end_time_utc as timestamptz)                   as ended_at,
        cast(amount_cents as double) / 100.0                as amount,
        payment_method                                      as channel,
        _batch_id, _source_file, _row_number, _delivered_on, _landed_at
    from vendor_a
    union all
    select
        'B-' || "transactionId",
        cast("transactionId" as varchar),
        'vendor_b',
        "licensePlate",
        jurisdiction,
        "locationNumber",
        cast("startDateTime" as timestamptz),
        cast("startDateTime" as timestamptz) + to_minutes(cast("durationMinutes" as bigint)),
        cast("totalAmount" as double),
        channel,
        _batch_id, _source_file, _row_number, _delivered_on, _landed_at
    from vendor_b
),
typed as (
select
    session_id,
    vendor_session_id,
    vendor,
    upper(trim(plate))                                      as plate,
    upper(trim(province))                                   as province,
    cast(zone_code as varchar)                              as zone_code,
    started_at,
    ended_at,
    {{ local_date('started_at') }}                          as started_date,
    {{ hours_between('started_at', 'ended_at') }} * 60.0    as duration_minutes,
    amount,
    channel,
    _batch_id,
    _source_file,
    _row_number,
    _delivered_on,
    cast(_landed_at as timestamptz)                         as _landed_at
from unioned
)
{{ dedup_latest_incremental('typed', 'session_id') }}
