{{ config(schema='enforcement') }}
-- Serving snapshot for the live check: the permit register by plate pseudonym (the rule
-- checks status and validity dates itself).
select permit_id, plate_pseudonym, permit_type, permit_area_id, valid_from, valid_to, status
from {{ ref('stg_permits__permits') }}
where plate_pseudonym is not null
