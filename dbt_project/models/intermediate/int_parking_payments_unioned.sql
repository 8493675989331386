{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='payment_id',
    on_schema_change='sync_all_columns'
) }}
-- Every payment that covers a plate for a time: pay-by-plate sessions (both vendors) and
-- pay-by-plate meter payments (coin or card at a meter, plate keyed in). What the
-- meter_unpaid rule checks a read against (int_plate_reads_evaluated).
-- Read by the rules, the revenue and pricing marts and the live check's extract.
-- plate_key: the normalised plate (upper case, A-Z and 0-9 only).
-- Incremental: a Toronto-scale year is 29 M payments; a build adds those landed since the
-- last (a newer delivery of a payment replaces it; staging keeps the latest version). A
-- meter moved to another zone keeps its past payments' zone until --full-refresh.
select
    session_id                                  as payment_id,
    'pay_by_plate_' || vendor                   as payment_source,
    {{ normalize_plate('plate') }}              as plate_key,
    zone_code                                   as zone_id,
    started_at,
    ended_at,
    amount,
    _landed_at
from {{ ref('stg_paybyplate__sessions') }}
where started_at is not null and ended_at is not null and {{ landed_since_last_build() }}
union all
select
    'M-' || e.event_id,
    'meter_' || replace(e.event_type, 'payment_', ''),
    {{ normalize_plate('e.plate') }},
    m.zone_id,
    e.occurred_at,
    e.occurred_at + to_minutes(e.minutes_purchased),
    e.payment_amount,
    e._landed_at
from {{ ref('stg_meters__events') }} as e
join {{ ref('stg_meters__meters') }} as m using (meter_id)
where e.is_payment and e.plate is not null and e.minutes_purchased > 0 and e.occurred_at is not null
    and {{ landed_since_last_build('e._landed_at') }}
