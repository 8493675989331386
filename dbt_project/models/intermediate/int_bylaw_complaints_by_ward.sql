-- Every complaint (int_complaints_unioned: no complainant identity) with its local day,
-- week and month, its type (request_type) and the ward of the property at its address on
-- the assessment roll ('unknown' when the address is not on the roll).
with wards as (
    select upper(trim(address)) as address_key, min(ward) as ward
    from {{ ref('stg_assessment__properties') }}
    where address is not null
    group by 1
)
select
    c.complaint_id,
    c.source_system,
    c.channel,
    c.received_at,
    c.received_date,
    cast(date_trunc('month', c.received_date) as date)  as received_month,
    coalesce(c.request_type, 'unknown')                 as request_type,
    coalesce(w.ward, 'unknown')                         as ward
from {{ ref('int_complaints_unioned') }} as c
left join wards as w on w.address_key = upper(trim(c.address))
where c.received_date is not null
