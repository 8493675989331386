{{ config(schema='enforcement', materialized='table') }}
-- Mailed tickets that still need the registered owner from the MTO (ARIS). Published to
-- the serving snapshot's `enforcement` schema for `civic mto lookup-batch`
-- (warehouse/mto.py), which keeps the ledger of what was already requested and takes the
-- plate in clear from the lake (the system of record) when it writes the file: no plate in
-- clear is ever published. Only open tickets (not paid, cancelled or written off): owner
-- data may be kept only while it is needed. ARIS holds Ontario registrations only; other
-- provinces and states are listed with lookup_registry NULL and a reason.
with tickets as (
    select * from {{ ref('stg_handheld__tickets') }} where issue_method = 'mail'
),
lifecycle as (
    select ticket_id, current_status, amount_outstanding, as_of_date
    from {{ ref('fct_ticket_lifecycle') }}
    where not is_closed
)
select
    t.ticket_id                                             as ticket_number,
    t.issued_at,
    t.issued_date,
    t.province,
    t.plate_pseudonym,
    nullif(trim(t.make), '')                                as vehicle_make,
    nullif(trim(t.model), '')                               as vehicle_model,
    nullif(trim(t.colour), '')                              as vehicle_colour,
    t.bylaw_code,
    l.current_status,
    l.amount_outstanding,
    case when t.province = 'ON' and {{ normalize_plate('t.plate') }} is not null then 'MTO_ARIS' end
                                                            as lookup_registry,
    case
        when {{ normalize_plate('t.plate') }} is null then 'no_plate'
        when t.province is distinct from 'ON' then 'out_of_province'
    end                                                     as not_eligible_reason,
    l.as_of_date
from tickets as t
inner join lifecycle as l on l.ticket_id = t.ticket_id
