{{ config(schema='enforcement') }}
-- Serving snapshot for the live check: payments (pay-by-plate sessions, meter payments)
-- that ended in the 2 days before the latest payment, by plate pseudonym (never the plate).
with p as (
    select * from {{ ref('int_parking_payments_unioned') }} where plate_key is not null
)
select
    payment_id, payment_source, {{ plate_pseudonym('plate_key') }} as plate_pseudonym,
    zone_id, started_at, ended_at
from p
where ended_at >= (select max(ended_at) from p) - to_days(2)
