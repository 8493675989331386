-- Complaints from the Open311 portal and the 311 contact centre in one shape.
-- Confidentiality: no complainant name, e-mail or phone exists past raw (staging drops
-- them) and the free-text description is left out too (it can name people).
select
    'open311-' || service_request_id    as complaint_id,
    'open311'                           as source_system,
    service_request_id                  as source_ref,
    'portal'                            as channel,
    requested_at                        as received_at,
    requested_date                      as received_date,
    service_name                        as request_type,
    service_code,
    status,
    address,
    lat,
    lon,
    is_anonymous
from {{ ref('stg_open311__requests') }}

union all

select
    'call-' || call_id,
    'calls_311',
    call_id,
    channel,
    received_at,
    received_date,
    request_type,
    cast(null as varchar),
    cast(null as varchar),
    address,
    lat,
    lon,
    is_anonymous
from {{ ref('stg_311__calls') }}
