-- One row per bylaw case opened on or before the as-of day: where it stands (current
-- status from fct_case_status_history, the case system's outcome), how long it took, its
-- SLA targets (seed bylaw_sla_targets: by bylaw type and priority, '*' = any type) and
-- whether they were breached, what it issued and cost, and, while open, its age bucket.
--   days_to_first_inspection: opened_at -> first inspection (NULL: none yet)
--   resolution_days:          opened_at -> closed_at (NULL: open)
--   is_inspection_sla_breached: first inspection later than opened_at + target, or none
--                             and the target passed before the case closed (open: before
--                             the end of the as-of day)
--   is_resolution_sla_breached: closed later than opened_at + target, or open past it
--   age_days / aging_bucket:  open cases only, at the end of the as-of day
--   is_reinspection_due:      open and in status reinspection_due (a deadline passed
--                             without a re-inspection)
-- ward: the property's ward on the assessment roll ('unknown' without a known roll number).
with params as (
    select
        {{ case_lifecycle_as_of_date() }}                           as as_of_date,
        {{ local_day_end(case_lifecycle_as_of_date()) }}            as as_of_end
),

cases as (
    select c.*
    from {{ ref('stg_cases__cases') }} as c
    cross join params as p
    where c.opened_at is not null and c.opened_date <= p.as_of_date
),

current_status as (
    select case_id, status as current_status, entered_at as current_status_since, status_seq as statuses_entered
    from {{ ref('fct_case_status_history') }}
    where is_current
),

paths as (
    select case_id, string_agg(status, ' > ' order by status_seq) as status_path
    from {{ ref('fct_case_status_history') }}
    group by case_id
),

events as (
    select
        case_id,
        min(event_at) filter (where event_type in ('initial_inspection', 're_inspection'))  as first_inspection_at,
        count(*) filter (where event_type in ('initial_inspection', 're_inspection'))       as inspections,
        count(*) filter (where event_type = 'compliance_notice')                           as compliance_notices,
        count(*) filter (where event_type = 'order_to_comply')                             as orders_to_comply,
        count(*) filter (where event_type in ('amp', 'part_i_ticket'))                     as fines_issued,
        coalesce(sum(amount) filter (where event_type in ('amp', 'part_i_ticket')), 0)     as fines_issued_amount,
        coalesce(sum(amount) filter (where event_type = 'fine_payment'), 0)                as fines_paid_amount,
        count(*) filter (where event_type = 'remediation_ordered')                         as remediation_works,
        coalesce(sum(amount) filter (where event_type = 'remediation_ordered'), 0)         as remediation_cost,
        coalesce(sum(amount) filter (where event_type = 'remediation_recovered'), 0)       as remediation_recovered
    from {{ ref('int_case_events_unioned') }}
    group by case_id
),

sla as (
    select
        c.case_id,
        coalesce(s.first_inspection_days, d.first_inspection_days) as sla_first_inspection_days,
        coalesce(s.resolution_days, d.resolution_days)             as sla_resolution_days
    from cases as c
    left join {{ ref('bylaw_sla_targets') }} as s on s.bylaw_type = c.bylaw_type and s.priority = c.priority
    left join {{ ref('bylaw_sla_targets') }} as d on d.bylaw_type = '*' and d.priority = c.priority
),

wards as (
    select roll_number, ward from {{ ref('stg_assessment__properties') }}
),

joined as (
    select
        c.case_id,
        c.complaint_source,
        c.complaint_id,
        c.bylaw_type,
        c.priority,
        c.roll_number,
        coalesce(w.ward, 'unknown')                                 as ward,
        c.assigned_officer_id,
        c.opened_at,
        c.opened_date,
        case when c.closed_date <= p.as_of_date then c.closed_at end   as closed_at,
        case when c.closed_date <= p.as_of_date then c.closed_date end as closed_date,
        case when c.closed_date <= p.as_of_date then c.outcome end     as outcome,
        coalesce(cs.current_status, 'received')                     as current_status,
        cs.current_status_since,
        pa.status_path,
        e.first_inspection_at,
        coalesce(e.inspections, 0)                                  as inspections,
        coalesce(e.compliance_notices, 0)                           as compliance_notices,
        coalesce(e.orders_to_comply, 0)                             as orders_to_comply,
        coalesce(e.fines_issued, 0)                                 as fines_issued,
        coalesce(e.fines_issued_amount, 0)                          as fines_issued_amount,
        coalesce(e.fines_paid_amount, 0)                            as fines_paid_amount,
        coalesce(e.remediation_works, 0)                            as remediation_works,
        coalesce(e.remediation_cost, 0)                             as remediation_cost,
        coalesce(e.remediation_recovered, 0)                        as remediation_recovered,
        s.sla_first_inspection_days,
        s.sla_resolution_days,
        p.as_of_date,
        p.as_of_end
    from cases as c
    cross join params as p
    left join current_status as cs using (case_id)
    left join paths as pa using (case_id)
    left join events as e using (case_id)
    left join sla as s using (case_id)
    left join wards as w on w.roll_number = c.roll_number
)

select
    case_id,
    complaint_source,
    complaint_id,
    bylaw_type,
    priority,
    roll_number,
    ward,
    assigned_officer_id,
    opened_at,
    opened_date,
    closed_at,
    closed_date,
    closed_at is null                                               as is_open,
    current_status,
    current_status_since,
    outcome,
    status_path,
    first_inspection_at,
    case when first_inspection_at is not null
         then greatest(0.0, {{ days_between('opened_at', 'first_inspection_at') }}) end as days_to_first_inspection,
    case when closed_at is not null
         then greatest(0.0, {{ days_between('opened_at', 'closed_at') }}) end           as resolution_days,
    cast(inspections as integer)                                    as inspections,
    cast(compliance_notices as integer)                             as compliance_notices,
    cast(orders_to_comply as integer)                               as orders_to_comply,
    cast(fines_issued as integer)                                   as fines_issued,
    fines_issued_amount,
    fines_paid_amount,
    cast(remediation_works as integer)                              as remediation_works,
    remediation_cost,
    remediation_recovered,
    sla_first_inspection_days,
    sla_resolution_days,
    opened_at + to_microseconds(cast(sla_first_inspection_days * 86400e6 as bigint)) as first_inspection_due_at,
    opened_at + to_microseconds(cast(sla_resolution_days * 86400e6 as bigint))       as resolution_due_at,
    case
        when sla_first_inspection_days is null then null
        when first_inspection_at is not null
            then {{ days_between('opened_at', 'first_inspection_at') }} > sla_first_inspection_days
        else {{ days_between('opened_at', 'coalesce(closed_at, as_of_end)') }} > sla_first_inspection_days
    end                                                             as is_inspection_sla_breached,
    case
        when sla_resolution_days is null then null
        when closed_at is not null then {{ days_between('opened_at', 'closed_at') }} > sla_resolution_days
        else {{ days_between('opened_at', 'as_of_end') }} > sla_resolution_days
    end                                                             as is_resolution_sla_breached,
    case when closed_at is null
         then greatest(0.0, {{ days_between('opened_at', 'as_of_end') }}) end           as age_days,
    case when closed_at is null
         then {{ case_aging_bucket('floor(' ~ days_between('opened_at', 'as_of_end') ~ ')') }} end as aging_bucket,
    closed_at is null and current_status = 'reinspection_due'       as is_reinspection_due,
    as_of_date
from joined
