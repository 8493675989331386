-- What a closed bylaw case costs the city, by bylaw type and the month the case closed.
-- Definition (vars in dbt_project.yml):
--   officer_hours   = per case var('bylaw_hours_per_case') (intake, file, closure)
--                   + per inspection var('bylaw_hours_per_inspection') (travel, visit, report)
--                   + per notice, order or fine var('bylaw_hours_per_notice') (drafting, service)
--   officer_cost    = officer_hours * var('bylaw_officer_hourly_cost') (fully loaded $/h)
--   remediation_unrecovered = remediation cost - recovered so far (never below 0)
--   total_cost      = officer_cost + remediation_unrecovered
--   cost_per_case   = total_cost / cases_closed
-- Fines collected are revenue, not a cost offset: they are left out.
{%- set hourly = var('bylaw_officer_hourly_cost', 62) %}
{%- set h_case = var('bylaw_hours_per_case', 1.0) %}
{%- set h_insp = var('bylaw_hours_per_inspection', 1.5) %}
{%- set h_notice = var('bylaw_hours_per_notice', 1.0) %}
with cases as (
    select
        *,
        cast({{ h_case }} as double)
          + inspections * cast({{ h_insp }} as double)
          + (compliance_notices + orders_to_comply + fines_issued) * cast({{ h_notice }} as double) as officer_hours,
        greatest(0.0, remediation_cost - remediation_recovered) as remediation_unrecovered
    from {{ ref('fct_case_lifecycle') }}
    where closed_date is not null
)
select
    cast(date_trunc('month', closed_date) as date)          as closed_month,
    bylaw_type,
    cast(count(*) as bigint)                                as cases_closed,
    cast(sum(inspections) as bigint)                        as inspections,
    cast(sum(compliance_notices + orders_to_comply + fines_issued) as bigint) as notices_issued,
    sum(officer_hours)                                      as officer_hours,
    round(sum(officer_hours) * cast({{ hourly }} as double), 2) as officer_cost,
    sum(remediation_cost)                                   as remediation_cost,
    sum(remediation_recovered)                              as remediation_recovered,
    sum(remediation_unrecovered)                            as remediation_unrecovered,
    round(sum(officer_hours) * cast({{ hourly }} as double) + sum(remediation_unrecovered), 2) as total_cost,
    round((sum(officer_hours) * cast({{ hourly }} as double) + sum(remediation_unrecovered)) / count(*), 2) as cost_per_case,
    cast({{ hourly }} as double)                            as officer_hourly_cost
from cases
group by all
