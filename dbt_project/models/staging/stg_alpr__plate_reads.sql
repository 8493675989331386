-- One row per plate read (latest delivery of each read_id).
with src as (
    {{ dedup_latest(source('raw', 'alpr_reads'), ['read_id']) }}
)
select
    cast(read_id as varchar)                        as read_id,
    upper(trim(plate))                              as plate,
    {{ normalize_plate('plate') }}                  as plate_normalized,
    {{ plate_pseudonym('plate') }}                  as plate_pseudonym,
    upper(trim(region))                             as province,
    cast(confidence as double)                      as confidence,
    cast(captured_at as timestamptz)                as captured_at,
    {{ local_date('captured_at') }}                 as captured_date,
    date_trunc('hour', {{ local_ts('captured_at') }}) as captured_hour_local,
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
