with src as (
    {{ dedup_latest(source('raw', 'notices'), ['notice_id']) }}
)
select
    cast(notice_id as varchar)          as notice_id,
    cast(case_id as varchar)            as case_id,
    notice_type,
    cast(issued_at as timestamptz)      as issued_at,
    {{ local_date('issued_at') }}       as issued_date,
    bylaw_section,
    cast(compliance_deadline as date)   as compliance_deadline,
    served_method,
    cast(served_at as timestamptz)      as served_at,
    cast(fine_amount as double)         as fine_amount,
    _batch_id,
    _delivered_on
from src
