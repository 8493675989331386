{{ config(materialized='view') }}
-- One row per plate read (latest delivery of each read_id).
-- A view: ~3.5 M rows a year are read once per build by int_plate_reads_aggregated_hourly
-- (and by anything else that needs reads); writing them to a table would cost more than
-- the dedup it saves. DuckDB prunes the columns a consumer does not select.
with src as (
    {{ dedup_latest(source('raw', 'alpr_reads'), ['read_id']) }}
)
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
from src
