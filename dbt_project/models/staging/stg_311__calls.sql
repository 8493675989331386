-- 311 contact-centre calls. received_at was exported as naive local time; the ingestion
-- lands it as a UTC instant. Caller name and phone are deliberately NOT carried past raw.
with src as (
    {{ dedup_latest(source('raw', 'calls_311'), ['call_id']) }}
)
select
    cast(call_id as varchar)            as call_id,
    cast(received_at as timestamptz)    as received_at,
    {{ local_date('received_at') }}     as received_date,
    request_type,
    channel,
    address,
    cast(lat as double)                 as lat,
    cast(lon as double)                 as lon,
    description,
    coalesce(cast(anonymous as boolean), false) as is_anonymous,
    _batch_id,
    _delivered_on
from src
