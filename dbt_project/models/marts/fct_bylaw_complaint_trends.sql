-- Complaints per month by type (request_type) and ward, against the same month a year
-- before. A row exists for every month, type and ward with complaints in that month or
-- in the same month of the year before (up to the data's last month).
--   yoy_change = complaints - complaints_prior_year; yoy_change_pct = that / prior year
--   (NULL when the prior year had none)
with monthly as (
    select received_month as month, request_type, ward, count(*) as complaints
    from {{ ref('int_bylaw_complaints_by_ward') }}
    group by all
),
last_month as (
    select max(month) as last_month from monthly
),
keys as (
    select month, request_type, ward from monthly
    union
    select cast(month + interval 1 year as date), request_type, ward from monthly
)
select
    k.month,
    cast(extract(year from k.month) as integer)             as year,
    cast(extract(month from k.month) as integer)            as month_of_year,
    k.request_type,
    k.ward,
    cast(coalesce(cur.complaints, 0) as bigint)             as complaints,
    cast(coalesce(prev.complaints, 0) as bigint)            as complaints_prior_year,
    cast(coalesce(cur.complaints, 0) - coalesce(prev.complaints, 0) as bigint) as yoy_change,
    case when prev.complaints > 0
         then round(100.0 * (coalesce(cur.complaints, 0) - prev.complaints) / prev.complaints, 2) end as yoy_change_pct
from keys as k
cross join last_month as l
left join monthly as cur on cur.month = k.month and cur.request_type = k.request_type and cur.ward = k.ward
left join monthly as prev
  on prev.month = cast(k.month - interval 1 year as date) and prev.request_type = k.request_type and prev.ward = k.ward
where k.month <= l.last_month
