{{ config(schema='enforcement') }}
-- Serving snapshot for the live check: the latest day's reads placed on a blockface, by
-- plate pseudonym, for the digital chalk (the first read of a plate on a blockface today).
-- Never older than a day: within the ALPR retention window.
-- The day is found first, so only its reads are hashed (not a year of plates).
with latest as (
    select max(captured_date) as day from {{ ref('int_plate_reads_evaluated') }} where blockface_id is not null
)
select read_id, {{ plate_pseudonym('plate') }} as plate_pseudonym, blockface_id, captured_at
from {{ ref('int_plate_reads_evaluated') }}
where blockface_id is not null
  and captured_date = (select day from latest)
