-- Compliance with compliance notices and orders to comply, by the month they were issued,
-- bylaw type, ward and notice type. Each notice's verdict is its first re-inspection
-- after it and before the case's next notice: 'complied' or 'not_complied'; with none,
-- 'complied' when the case closed as voluntary/order compliance before the next notice,
-- else 'pending'. compliance_rate_pct = complied / (complied + not_complied) (NULL when
-- none decided); complied_by_deadline: complied at a re-inspection on or before the
-- deadline day.
with notices as (
    select
        n.notice_id, n.case_id, n.notice_type, n.issued_at, n.issued_date, n.compliance_deadline,
        lead(n.issued_at) over (partition by n.case_id order by n.issued_at, n.notice_id) as next_notice_at
    from {{ ref('stg_cases__notices') }} as n
    inner join {{ ref('fct_case_lifecycle') }} as c using (case_id)
    where n.issued_at is not null
),
verdicts as (
    select
        n.*,
        (select arg_min(i.event_type || '|' || i.detail || '|' || cast(i.event_date as varchar), i.event_at)
         from {{ ref('int_case_events_unioned') }} as i
         where i.case_id = n.case_id and i.event_type = 're_inspection'
           and i.detail in ('complied', 'not_complied')
           and i.event_at >= n.issued_at and (n.next_notice_at is null or i.event_at < n.next_notice_at)) as first_reinspection
    from notices as n
    where n.notice_type in ('compliance_notice', 'order_to_comply')
),
decided as (
    select
        v.*,
        c.bylaw_type,
        c.ward,
        case
            when split_part(v.first_reinspection, '|', 2) = 'complied' then 'complied'
            when split_part(v.first_reinspection, '|', 2) = 'not_complied' then 'not_complied'
            when c.outcome in ('voluntary_compliance', 'order_compliance')
                 and (v.next_notice_at is null or c.closed_at < v.next_notice_at) then 'complied'
            else 'pending'
        end as verdict,
        split_part(v.first_reinspection, '|', 2) = 'complied'
            and cast(split_part(v.first_reinspection, '|', 3) as date) <= v.compliance_deadline as complied_by_deadline
    from verdicts as v
    inner join {{ ref('fct_case_lifecycle') }} as c using (case_id)
)
select
    cast(date_trunc('month', issued_date) as date)                  as issued_month,
    bylaw_type,
    ward,
    notice_type,
    cast(count(*) as bigint)                                        as notices_issued,
    cast(count(*) filter (where verdict = 'complied') as bigint)    as complied,
    cast(count(*) filter (where verdict = 'not_complied') as bigint) as not_complied,
    cast(count(*) filter (where verdict = 'pending') as bigint)     as pending,
    cast(count(*) filter (where complied_by_deadline) as bigint)    as complied_by_deadline,
    case when count(*) filter (where verdict <> 'pending') > 0
         then round(100.0 * count(*) filter (where verdict = 'complied')
                    / count(*) filter (where verdict <> 'pending'), 2) end as compliance_rate_pct
from decided
group by all
