-- Tickets written on the handheld ticket writers (the latest delivery of each ticket).
with src as (
    {{ dedup_latest(source('raw', 'handheld_tickets'), ['ticket_number']) }}
)
select
    cast(ticket_number as varchar)      as ticket_id,
    cast(issued_at as timestamptz)      as issued_at,
    {{ local_date('issued_at') }}       as issued_date,
    cast(officer_id as varchar)         as officer_id,
    cast(bylaw_code as varchar)         as bylaw_code,
    violation_type,
    cast(fine_amount as double)         as fine_amount,
    upper(trim(plate))                  as plate,
    {{ plate_pseudonym('plate') }}      as plate_pseudonym,
    upper(trim(province))               as province,
    make,
    model,
    colour,
    cast(lat as double)                 as lat,
    cast(lon as double)                 as lon,
    street_address,
    cast(blockface_id as varchar)       as blockface_id,
    cast(zone_id as varchar)            as zone_id,
    issue_method,
    detection_source,
    evidence_ref,
    _batch_id,
    _source_file,
    _row_number,
    _delivered_on,
    cast(_landed_at as timestamptz)     as _landed_at
from src
