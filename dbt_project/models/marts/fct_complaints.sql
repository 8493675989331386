-- Complaints from every intake channel. No complainant identity, no free text.
select
    complaint_id,
    source_system,
    channel,
    received_at,
    received_date,
    request_type,
    service_code,
    status,
    address,
    lat,
    lon,
    is_anonymous
from {{ ref('int_complaints_unioned') }}
