-- Everything that happens to a bylaw case, one row per event, each with its time, local
-- day and source: the case system (opened, closed), inspections, notices and orders,
-- remediation works (ordered, completed, invoiced, added to the tax roll, recovered) and
-- fine payments; plus one derived event, deadline_passed (source 'lifecycle_schedule').
--
-- status_effect: the status this event moves the case into (NULL: none). The states and
-- which changes are allowed are the seed case_status_transitions (fct_case_status_history
-- takes each change's trigger from it); here only what each event means:
--   case_opened -> received; the case's first inspection -> investigated (and, when it
--   found the violation already corrected -- result 'complied' -- a second event
--   complied_at_inspection -> complied); compliance_notice -> notice_issued;
--   order_to_comply -> order_issued; amp / part_i_ticket -> escalated; deadline_passed ->
--   reinspection_due; a later re-inspection 'complied' -> complied, 'not_complied' ->
--   escalated when the case's latest notice before it is an order to comply (a notice not
--   complied with waits, reinspection_due, for its order); remediation_ordered ->
--   escalated; case_closed -> closed.
-- deadline_passed: for a compliance notice or order with a deadline, at the end of the
-- deadline day -- or earlier, at a re-inspection that found it not complied -- unless a
-- complied re-inspection, a later notice or the closure came first.
-- Only events on or before the as-of day (macro case_lifecycle_as_of_date) count.
with params as (
    select {{ case_lifecycle_as_of_date() }} as as_of_date
),

cases as (
    select c.case_id, c.opened_at, c.opened_date, c.closed_at, c.closed_date, c.outcome, c.assigned_officer_id
    from {{ ref('stg_cases__cases') }} as c
    cross join params as p
    where c.opened_at is not null and c.opened_date <= p.as_of_date
),

inspections as (
    select i.*,
           row_number() over (partition by i.case_id order by i.inspected_at, i.inspection_id) as inspection_seq
    from {{ ref('stg_cases__inspections') }} as i
    inner join cases as c using (case_id)
    where i.inspected_at is not null
),

notices as (
    select n.*
    from {{ ref('stg_cases__notices') }} as n
    inner join cases as c using (case_id)
    where n.issued_at is not null
),

-- the case's latest notice at or before each inspection (an order makes a failed re-inspection an escalation)
inspections_with_notice as (
    select i.*, n.notice_type as latest_notice_type
    from inspections as i
    asof left join notices as n
      on n.case_id = i.case_id and n.issued_at <= i.inspected_at
),

deadlines as (
    select
        n.notice_id, n.case_id, n.notice_type, n.compliance_deadline,
        least(
            {{ local_day_end('n.compliance_deadline') }},
            (select min(i.inspected_at) from inspections as i
             where i.case_id = n.case_id and i.inspection_type = 're_inspection'
               and i.result = 'not_complied' and i.inspected_at >= n.issued_at)
        ) as passed_at,
        (select min(i.inspected_at) from inspections as i
         where i.case_id = n.case_id and i.result = 'complied' and i.inspected_at >= n.issued_at) as complied_at,
        (select min(n2.issued_at) from notices as n2
         where n2.case_id = n.case_id and n2.notice_id <> n.notice_id
           and (n2.issued_at > n.issued_at or (n2.issued_at = n.issued_at and n2.notice_id > n.notice_id))) as next_notice_at,
        c.closed_at
    from notices as n
    inner join cases as c using (case_id)
    where n.notice_type in ('compliance_notice', 'order_to_comply') and n.compliance_deadline is not null
),

works as (
    select w.*
    from {{ ref('stg_cases__remediation_works') }} as w
    inner join cases as c using (case_id)
),

events as (
    select
        'case_opened:' || case_id as event_id, case_id, 'case_opened' as event_type, 0 as event_order,
        opened_at as event_at, 'case_management' as source_system, 'stg_cases__cases' as source_model,
        case_id as record_id, 'received' as status_effect, cast(null as varchar) as detail,
        cast(null as double) as amount, assigned_officer_id as officer_id, cast(null as varchar) as notice_id
    from cases

    union all
    select
        case when inspection_type = 'initial' then 'initial_inspection' else 're_inspection' end || ':' || inspection_id,
        case_id,
        case when inspection_type = 'initial' then 'initial_inspection' else 're_inspection' end,
        case when inspection_seq = 1 then 1 else 5 end,
        inspected_at, 'inspections', 'stg_cases__inspections', inspection_id,
        case
            when inspection_seq = 1 then 'investigated'
            when result = 'complied' then 'complied'
            when result = 'not_complied' and latest_notice_type = 'order_to_comply' then 'escalated'
        end,
        result, cast(null as double), officer_id, cast(null as varchar)
    from inspections_with_notice

    union all
    -- the first inspection found the violation already corrected
    select
        'complied_at_inspection:' || inspection_id, case_id, 'complied_at_inspection', 2,
        inspected_at, 'inspections', 'stg_cases__inspections', inspection_id, 'complied',
        result, cast(null as double), officer_id, cast(null as varchar)
    from inspections
    where inspection_seq = 1 and result = 'complied'

    union all
    select
        notice_type || ':' || notice_id, case_id, notice_type, 3,
        issued_at, 'notices', 'stg_cases__notices', notice_id,
        case notice_type
            when 'compliance_notice' then 'notice_issued'
            when 'order_to_comply' then 'order_issued'
            when 'amp' then 'escalated'
            when 'part_i_ticket' then 'escalated'
        end,
        notice_type, fine_amount, cast(null as varchar), notice_id
    from notices

    union all
    select
        'deadline_passed:' || notice_id, case_id, 'deadline_passed', 4,
        passed_at, 'lifecycle_schedule', 'stg_cases__notices', notice_id, 'reinspection_due',
        notice_type, cast(null as double), cast(null as varchar), notice_id
    from deadlines
    where passed_at is not null
      and (complied_at is null or passed_at < complied_at)
      and (next_notice_at is null or passed_at < next_notice_at)
      and (closed_at is null or passed_at < closed_at)

    union all
    select 'remediation_ordered:' || work_id, case_id, 'remediation_ordered', 6, ordered_at,
           'remediation_works', 'stg_cases__remediation_works', work_id, 'escalated', contractor, cost,
           cast(null as varchar), cast(null as varchar)
    from works where ordered_at is not null
    union all
    select 'remediation_completed:' || work_id, case_id, 'remediation_completed', 6, completed_at,
           'remediation_works', 'stg_cases__remediation_works', work_id, null, contractor, cost,
           cast(null as varchar), cast(null as varchar)
    from works where completed_at is not null
    union all
    select 'remediation_invoiced:' || work_id, case_id, 'remediation_invoiced', 6, invoiced_at,
           'remediation_works', 'stg_cases__remediation_works', work_id, null, contractor, cost,
           cast(null as varchar), cast(null as varchar)
    from works where invoiced_at is not null
    union all
    select 'added_to_tax_roll:' || work_id, case_id, 'added_to_tax_roll', 6, {{ from_local('added_to_tax_roll_on') }},
           'remediation_works', 'stg_cases__remediation_works', work_id, null, contractor, cost,
           cast(null as varchar), cast(null as varchar)
    from works where added_to_tax_roll_on is not null
    union all
    select 'remediation_recovered:' || work_id, case_id, 'remediation_recovered', 6, recovered_at,
           'remediation_works', 'stg_cases__remediation_works', work_id, null, contractor, recovered_amount,
           cast(null as varchar), cast(null as varchar)
    from works where recovered_at is not null

    union all
    select 'fine_payment:' || f.payment_id, f.case_id, 'fine_payment', 7, f.paid_at,
           'fine_payments', 'stg_cases__fine_payments', f.payment_id, null, f.channel, f.amount,
           cast(null as varchar), f.notice_id
    from {{ ref('stg_cases__fine_payments') }} as f
    inner join cases as c using (case_id)
    where f.paid_at is not null

    union all
    select 'case_closed:' || case_id, case_id, 'case_closed', 9, closed_at,
           'case_management', 'stg_cases__cases', case_id, 'closed', outcome,
           cast(null as double), assigned_officer_id, cast(null as varchar)
    from cases where closed_at is not null
)

select
    e.event_id,
    e.case_id,
    e.event_type,
    e.event_order,
    e.event_at,
    {{ local_date('e.event_at') }}  as event_date,
    e.source_system,
    e.source_model,
    e.record_id,
    e.status_effect,
    e.detail,
    e.amount,
    e.officer_id,
    e.notice_id
from events as e
cross join params as p
where {{ local_date('e.event_at') }} <= p.as_of_date
