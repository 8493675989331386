-- One row per local day from the first to the last day of any data that feeds a daily KPI:
-- plate reads, sessions, meter events, tickets (legacy included), ticket payments,
-- complaints, cases opened/closed, inspections and notices. Left out on purpose: permits
-- (a permit register holds permits issued years ago), disputes and decisions (no daily
-- KPI), shift schedules and validity dates (they can lie in the future).
with bounds as (
    select min(lo) as first_day, max(hi) as last_day
    from (
        select min(day) as lo, max(day) as hi from {{ ref('int_plate_reads_aggregated_hourly') }}
        union all select min(started_date), max(started_date) from {{ ref('stg_paybyplate__sessions') }}
        union all select min(occurred_date), max(occurred_date) from {{ ref('stg_meters__events') }}
        union all select min(issued_date), max(issued_date) from {{ ref('stg_handheld__tickets') }}
        union all select min(issued_date), max(issued_date) from {{ ref('stg_toronto__legacy_tickets') }}
        union all select min(paid_date), max(paid_date) from {{ ref('stg_payments__ticket_payments') }}
        union all select min(received_date), max(received_date) from {{ ref('int_complaints_unioned') }}
        union all select min(opened_date), max(greatest(opened_date, closed_date)) from {{ ref('stg_cases__cases') }}
        union all select min(inspected_date), max(inspected_date) from {{ ref('stg_cases__inspections') }}
        union all select min(issued_date), max(issued_date) from {{ ref('stg_cases__notices') }}
    )
),
days as (
    select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as day
    from bounds
    where first_day is not null
)
select
    day,
    {{ from_local('day') }}                                         as day_start_at,
    {{ from_local('day + 1') }}                                     as day_end_at,
    {{ hours_between(from_local('day'), from_local('day + 1')) }}   as day_hours
from days
