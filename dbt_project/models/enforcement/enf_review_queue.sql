{{ config(schema='enforcement', materialized='table') }}
-- The officer review queue (apps/app_pages/review_queue.py): ALPR detections a person must
-- confirm before they become tickets (the Kitchener way). The officer needs the plate in
-- clear, so unlike the analytics marts this table carries it; it is therefore kept small:
-- violations only (a scofflaw-only read is no ticketable offence), of the last
-- review_queue_days days of data, not decided yet (landed review_decisions) and not
-- ticketed on the spot already (a handheld ticket whose evidence is the read).
-- The screen also leaves out what the ops database has decided since the last run.
with hits as (
    select * from {{ ref('fct_alpr_hits') }}
    where verdict = 'violation'
      and captured_date > (select max(captured_date) from {{ ref('fct_alpr_hits') }})
                          - cast({{ var('review_queue_days') }} as integer)
),
decided as (
    select read_id from {{ ref('stg_ops__review_decisions') }}
),
ticketed as (
    select substr(evidence_ref, 4) as read_id from {{ ref('stg_handheld__tickets') }} where evidence_ref like 'EV-%'
)
select
    h.read_id,
    e.plate,
    h.province,
    h.plate_pseudonym,
    h.captured_at,
    h.captured_date,
    h.lat,
    h.lon,
    h.confidence,
    h.image_ref,
    h.camera_id,
    h.unit_id,
    h.officer_id                                     as detected_by_officer_id,
    h.blockface_id,
    h.zone_id,
    b.street,
    b.side,
    b.street || ' (' || b.side || ' side)'          as street_address,
    h.violation_type,
    h.violation_types,
    h.bylaw_code,
    h.fine_amount,
    h.reason,
    h.reasons,
    h.is_scofflaw,
    h.scofflaw_unpaid_tickets,
    h.scofflaw_unpaid_total,
    h.first_read_at,
    h.last_read_at,
    h.minutes_since_first_read,
    h.time_limit_minutes
from hits as h
inner join {{ ref('int_plate_reads_evaluated') }} as e on e.read_id = h.read_id
left join {{ ref('stg_gis__blockfaces') }} as b on b.blockface_id = h.blockface_id
where not exists (select 1 from decided as d where d.read_id = h.read_id)
  and not exists (select 1 from ticketed as t where t.read_id = h.read_id)
