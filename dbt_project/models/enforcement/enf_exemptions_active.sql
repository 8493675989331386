{{ config(schema='enforcement') }}
-- Serving snapshot for the live check: the exemption register by plate pseudonym.
select exemption_id, plate_pseudonym, reason, zone_id, valid_from, valid_to
from {{ ref('stg_permits__exemptions') }}
where plate_pseudonym is not null
