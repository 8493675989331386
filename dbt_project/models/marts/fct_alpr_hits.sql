{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='read_id',
    on_schema_change='append_new_columns',
    pre_hook="{{ drop_reevaluated_hits() }}"
) }}
-- ALPR hits: reads the rules found in violation, or of a scofflaw plate (is_hit in
-- int_plate_reads_evaluated), with what an officer reviewing them needs: the read (photo
-- reference, confidence, camera), where (blockface, position), why (violation type, bylaw
-- code, set fine, reasons), the digital chalk (first and this read) and the scofflaw
-- totals. Pseudonymised plate only; the plate itself stays in the lake (hits are kept by
-- the retention purge) for the officer who confirms a ticket.
-- Incremental: only the reads int_plate_reads_evaluated evaluated again are replaced.
select
    read_id,
    {{ plate_pseudonym('plate') }}                               as plate_pseudonym,
    province,
    captured_at,
    captured_date,
    lat,
    lon,
    confidence,
    nullif(image_ref, '')                                        as image_ref,
    camera_id,
    unit_id,
    officer_id,
    blockface_id,
    zone_id,
    round(distance_m, 2)                                         as distance_m,
    round(along_m, 2)                                            as along_m,
    verdict,
    violation_type,
    bylaw_code,
    fine_amount,
    reason,
    array_to_string(reasons, '; ')                               as reasons,
    array_to_string(list_transform(violations, lambda v: v.violation_type), ',') as violation_types,
    is_scofflaw,
    cast(unpaid_tickets as bigint)                               as scofflaw_unpaid_tickets,
    cast(unpaid_total as double)                                 as scofflaw_unpaid_total,
    first_read_id,
    first_read_at,
    captured_at                                                  as last_read_at,
    round((epoch(captured_at) - epoch(first_read_at)) / 60.0, 1) as minutes_since_first_read,
    time_limit_minutes,
    last_payment_ended_at,
    permit_area_id,
    school_zone_id,
    _inputs_landed_at
from {{ ref('int_plate_reads_evaluated') }}
where is_hit
{%- if is_incremental() %}
  -- the reads evaluated (again) since this table's last build; the pre-hook removed their
  -- old rows, so a read that is no longer a hit (a late payment) leaves the table
  and _inputs_landed_at > {{ hits_evaluated_until() }}
{%- endif %}
