{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='read_id',
    on_schema_change='sync_all_columns'
) }}
-- Every plate read with its verdict: the violation rules (macros/rules/, one definition
-- each, shared with the live check `civic alpr check`) applied to the ALPR stream.
-- Blockface: the nearest kerb line within var('enforcement_match_radius_m') (unknown_location
-- beyond). Facts per read: payments covering it (range join on plate + time, no reads x
-- sessions cross join), permits and exemptions valid that day, the digital chalk (first read
-- of the plate on the blockface that day), tickets unpaid at that time.
--
-- Incremental: a run re-evaluates every read of the local days that received reads or
-- payments landed after the last run (_inputs_landed_at watermark), whole days so the chalk
-- sees all of a day's reads, and keeps the other days' verdicts. Permits, exemptions and
-- tickets that change later do not re-open past days: --full-refresh does.
--
-- Holds raw plates: intermediate only. Non-hit reads leave it with the ALPR purge
-- (warehouse/retention.py); hits and the reads that chalked them stay.
with all_reads as (
    select
        read_id,
        {{ normalize_plate('plate') }}      as plate_key,
        captured_at,
        lat,
        lon,
        plate,
        province,
        confidence,
        image_ref,
        camera_id,
        unit_id,
        officer_id,
        captured_date,
        _landed_at
    from {{ ref('stg_alpr__plate_reads') }}
    where read_id is not null and captured_at is not null
),
payments as (
    select * from {{ ref('int_parking_payments_unioned') }} where plate_key is not null
),
inputs_landed as (
    select greatest(
        (select max(_landed_at) from all_reads),
        (select max(_landed_at) from payments)) as landed_at
),
{% if is_incremental() %}
{%- set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | list %}
watermark as (
    {%- if '_inputs_landed_at' in existing %}
    select coalesce(max(_inputs_landed_at), '-infinity'::timestamptz) as landed_after from {{ this }}
    {%- else %}
    select '-infinity'::timestamptz as landed_after  -- a table from before the watermark: evaluate all
    {%- endif %}
),
touched_days as (
    select distinct captured_date as day
    from all_reads, watermark
    where coalesce(_landed_at, 'infinity'::timestamptz) > landed_after
    union
    select distinct unnest([{{ local_date('started_at') }}, {{ local_date('ended_at') }}])
    from payments, watermark
    where coalesce(_landed_at, 'infinity'::timestamptz) > landed_after
),
reads as (
    select * exclude (captured_date) from all_reads
    where captured_date in (select day from touched_days)
),
{% else %}
reads as (
    select * exclude (captured_date) from all_reads
),
{% endif %}
blockfaces as (
    select * from {{ ref('stg_gis__blockfaces') }}
),
permits as (
    select *, {{ normalize_plate('plate') }} as plate_key from {{ ref('stg_permits__permits') }}
),
exemptions as (
    select *, {{ normalize_plate('plate') }} as plate_key from {{ ref('stg_permits__exemptions') }}
),
unpaid_tickets as (
    -- tickets that are, or were until settled, unpaid; what a read counts is what was
    -- outstanding while open (the amount due for a ticket settled since)
    select
        ticket_id, plate_key, issued_at, settled_at,
        case when settled_at is null then amount_outstanding else amount_due end as amount_outstanding
    from {{ ref('int_tickets_settled') }}
    where plate_key is not null and (settled_at is not null or amount_outstanding > 0)
),
evaluated as (
    {{ evaluate_plate_reads('reads', 'payments', 'permits', 'exemptions', 'blockfaces', 'unpaid_tickets') }}
)
select
    read_id,
    plate,
    plate_key,
    province,
    captured_at,
    local_date                              as captured_date,
    lat,
    lon,
    confidence,
    image_ref,
    camera_id,
    unit_id,
    officer_id,
    blockface_id,
    zone_id,
    distance_m,
    along_m,
    verdict,
    violation_type,
    bylaw_code,
    fine_amount,
    reason,
    reasons,
    violations,
    is_scofflaw,
    is_hit,
    is_paid,
    time_limit_minutes,
    permit_area_id,
    school_zone_id,
    payment_id,
    paid_until,
    last_payment_ended_at,
    area_permit_id,
    accessible_permit_id,
    exemption_id,
    exemption_reason,
    first_read_id,
    first_read_at,
    unpaid_tickets,
    unpaid_total,
    _landed_at,
    (select landed_at from inputs_landed)   as _inputs_landed_at
from evaluated
