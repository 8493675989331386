-- Open311 portal requests. Complainant identity (first_name, last_name, email, phone)
-- is deliberately NOT carried past raw: only whether the request came with any contact.
with src as (
    {{ dedup_latest(source('raw', 'open311_requests'), ['service_request_id']) }}
)
select
    cast(service_request_id as varchar)         as service_request_id,
    status,
    service_code,
    service_name,
    description,
    cast(requested_datetime as timestamptz)     as requested_at,
    {{ local_date('requested_datetime') }}      as requested_date,
    cast(updated_datetime as timestamptz)       as updated_at,
    address,
    cast(lat as double)                         as lat,
    cast("long" as double)                      as lon,
    media_url,
    (nullif(trim(first_name), '') is null
     and nullif(trim(last_name), '') is null
     and nullif(trim(email), '') is null
     and nullif(trim(phone), '') is null)       as is_anonymous,
    _batch_id,
    _delivered_on
from src
