-- One row per remediation work (a contractor's work at the owner's cost, Municipal Act
-- s.446) ordered on or before the as-of day, with its case's bylaw type and ward, its cost
-- and how much of it has been recovered (from the owner, or through the tax roll).
--   recovery_status: recovered (recovered_amount >= cost), partly_recovered, on_tax_roll
--   (added to the roll, not yet collected), invoiced, completed (not yet invoiced),
--   in_progress (not completed)
--   outstanding_amount = cost - recovered_amount (never below 0)
with params as (
    select {{ case_lifecycle_as_of_date() }} as as_of_date
)
select
    w.work_id,
    w.case_id,
    c.bylaw_type,
    c.ward,
    w.contractor,
    w.ordered_at,
    w.ordered_date,
    cast(date_trunc('month', w.ordered_date) as date)       as ordered_month,
    w.completed_at,
    w.invoiced_at,
    w.added_to_tax_roll_on,
    w.added_to_tax_roll_on is not null                      as is_on_tax_roll,
    w.cost,
    coalesce(w.recovered_amount, 0)                         as recovered_amount,
    greatest(0.0, w.cost - coalesce(w.recovered_amount, 0)) as outstanding_amount,
    w.recovered_at,
    case
        when w.recovered_amount >= w.cost - 0.005 then 'recovered'
        when w.recovered_amount > 0 then 'partly_recovered'
        when w.added_to_tax_roll_on is not null then 'on_tax_roll'
        when w.invoiced_at is not null then 'invoiced'
        when w.completed_at is not null then 'completed'
        else 'in_progress'
    end                                                     as recovery_status,
    case when w.recovered_at is not null and w.invoiced_at is not null
         then greatest(0.0, {{ days_between('w.invoiced_at', 'w.recovered_at') }}) end as days_invoice_to_recovery
from {{ ref('stg_cases__remediation_works') }} as w
inner join {{ ref('fct_case_lifecycle') }} as c using (case_id)
cross join params as p
where w.ordered_date <= p.as_of_date
