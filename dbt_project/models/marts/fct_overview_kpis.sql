-- The eight headline KPIs for the overview screen: the value on the latest day with data
-- (as_of_day), against the mean of the same daily metric over the var('kpi_window_days')
-- days before it that had data. Always exactly eight rows (values NULL on an empty warehouse).
{%- set window_days = var('kpi_window_days', 30) %}
with daily as (
    select * from {{ ref('fct_daily_kpis') }}
),
as_of as (
    select max(day) as as_of_day from daily
),
-- Days on which the field produced anything. A gap in the spine (e.g. between an imported
-- legacy extract and the live feeds) is not a day of zeros and must not drag the baseline.
days_with_data as (
    select day from daily
    where coalesce(plate_reads, 0) + coalesce(tickets_issued, 0) + coalesce(complaints_received, 0)
          + coalesce(inspections, 0) > 0
       or coalesce(revenue_total, 0) > 0
),
metrics as (
    select day, kpi, value
    from daily
    unpivot (value for kpi in (
        revenue_total       as 'revenue_today',
        meter_uptime_pct    as 'meter_uptime',
        tickets_issued      as 'tickets_issued',
        avg_occupancy_pct   as 'avg_occupancy',
        open_cases          as 'open_cases',
        avg_resolution_days as 'avg_resolution_days',
        inspections         as 'inspections_today',
        order_compliance_pct as 'order_compliance'
    ))
),
definitions (sort_order, kpi, label, unit, source_models) as (
    values
        (1, 'revenue_today',       'Revenue today',              '$',     'fct_daily_kpis (stg_paybyplate__sessions, stg_meters__events, fct_ticket_payments)'),
        (2, 'meter_uptime',        'Meter uptime',               '%',     'fct_daily_kpis (int_meter_uptime_aggregated_daily)'),
        (3, 'tickets_issued',      'Tickets issued',             'count', 'fct_daily_kpis (fct_tickets)'),
        (4, 'avg_occupancy',       'Average occupancy',          '%',     'fct_daily_kpis (int_plate_reads_aggregated_hourly)'),
        (5, 'open_cases',          'Open bylaw cases',           'count', 'fct_daily_kpis (int_cases_aggregated_daily)'),
        (6, 'avg_resolution_days', 'Average resolution time',    'days',  'fct_daily_kpis (int_cases_aggregated_daily)'),
        (7, 'inspections_today',   'Inspections today',          'count', 'fct_daily_kpis (stg_cases__inspections)'),
        (8, 'order_compliance',    'Order compliance',           '%',     'fct_daily_kpis (int_orders_compliance_aggregated_daily)')
),
current_values as (
    select m.kpi, m.value
    from metrics as m
    join as_of as a on m.day = a.as_of_day
),
baselines as (
    select m.kpi, avg(m.value) as baseline_value
    from metrics as m
    join days_with_data using (day)
    join as_of as a
      on m.day >= a.as_of_day - {{ window_days }}
     and m.day < a.as_of_day
    group by m.kpi
)
select
    d.kpi,
    d.label,
    cast(c.value as double)                         as value,
    d.unit,
    a.as_of_day,
    cast(b.baseline_value as double)                as baseline_value,
    'vs. {{ window_days }}-day average'             as baseline_label,
    cast(case
        when b.baseline_value is null or b.baseline_value = 0 or c.value is null then null
        else 100.0 * (c.value - b.baseline_value) / abs(b.baseline_value)
    end as double)                                  as change_pct,
    d.source_models,
    cast(d.sort_order as integer)                   as sort_order
from definitions as d
cross join as_of as a
left join current_values as c using (kpi)
left join baselines as b using (kpi)
order by d.sort_order
