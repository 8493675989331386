{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='read_id',
    on_schema_change='sync_all_columns'
) }}
-- One row per plate read (latest delivery of each read_id).
-- Incremental: a year is ~3.5 M reads and several models read them each build; as a view
-- each of them deduplicated the whole year again. A build adds the batches landed since the
-- last one. The retention purge deletes purged reads here too (warehouse/retention.py).
with typed as (
    select
        cast(read_id as varchar)                        as read_id,
        upper(trim(plate))                              as plate,
        upper(trim(region))                             as province,
        cast(confidence as double)                      as confidence,
        cast(captured_at as timestamptz)                as captured_at,
        {{ local_date('captured_at') }}                 as captured_date,
        cast(lat as double)                             as lat,
        cast(lon as double)                             as lon,
        camera_id,
        unit_id,
        officer_id,
        image_ref,
        _batch_id,
        _source_file,
        _row_number,
        _delivered_on,
        cast(_landed_at as timestamptz)                 as _landed_at
    from {{ source('raw', 'alpr_reads') }}
    where {{ landed_since_last_build() }}
)
{{ dedup_latest_incremental('typed', 'read_id') }}
