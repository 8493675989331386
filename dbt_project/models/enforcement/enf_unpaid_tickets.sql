{{ config(schema='enforcement') }}
-- Serving snapshot for the live check: open tickets (not paid in full, not cancelled) by
-- plate pseudonym, for the scofflaw rule.
select ticket_id, plate_pseudonym, issued_at, settled_at, amount_outstanding
from {{ ref('int_tickets_settled') }}
where plate_pseudonym is not null and settled_at is null and amount_outstanding > 0
