-- Emerging issues: a complaint type, a ward, or a type in a ward whose complaints in the
-- last 4 weeks rose beyond their usual range. Weeks are 7-day blocks counted back from the
-- as-of day (week 0 = the 7 days ending on it).
--   recent_complaints: weeks 0-3; recent_weekly_mean = that / 4
--   baseline: weeks 4-55 (the 52 weeks before), only weeks after the first complaint in
--     the data (weeks with none count as 0): baseline_mean, baseline_sd (sample)
--   threshold = baseline_mean + var('emerging_sd_factor') * baseline_sd
--   status: 'insufficient_history' with fewer than var('emerging_min_baseline_weeks')
--     baseline weeks; 'emerging' when recent_weekly_mean > threshold and recent_complaints
--     >= var('emerging_min_complaints'); else 'normal'
{%- set k_sd = var('emerging_sd_factor', 2) %}
{%- set min_weeks = var('emerging_min_baseline_weeks', 8) %}
{%- set min_n = var('emerging_min_complaints', 4) %}
with params as (
    select
        {{ case_lifecycle_as_of_date() }} as as_of_date,
        (select min(received_date) from {{ ref('int_bylaw_complaints_by_ward') }}) as first_day
),
weeks_available as (
    -- complete baseline weeks (4..55) that lie after the first day of data
    select
        as_of_date,
        cast(greatest(0, least(52, floor((as_of_date - first_day + 1) / 7) - 4)) as integer) as baseline_weeks
    from params
),
complaints as (
    select c.*, cast(floor((p.as_of_date - c.received_date) / 7) as integer) as week_back
    from {{ ref('int_bylaw_complaints_by_ward') }} as c
    cross join params as p
    where c.received_date <= p.as_of_date and c.received_date > p.as_of_date - 56 * 7
),
keyed as (
    select 'request_type' as dimension, request_type as dimension_value, week_back from complaints
    union all
    select 'ward', ward, week_back from complaints
    union all
    select 'request_type_ward', request_type || ' | ' || ward, week_back from complaints
),
per_week as (
    select dimension, dimension_value, week_back, count(*) as n
    from keyed group by all
),
stats as (
    select
        pw.dimension,
        pw.dimension_value,
        sum(pw.n) filter (where pw.week_back < 4)                                   as recent_complaints,
        coalesce(sum(pw.n) filter (where pw.week_back between 4 and 3 + wa.baseline_weeks), 0) as baseline_sum,
        coalesce(sum(pw.n * pw.n) filter (where pw.week_back between 4 and 3 + wa.baseline_weeks), 0) as baseline_sumsq,
        any_value(wa.baseline_weeks)                                                as baseline_weeks,
        any_value(wa.as_of_date)                                                    as as_of_date
    from per_week as pw
    cross join weeks_available as wa
    group by all
),
measured as (
    select
        *,
        coalesce(recent_complaints, 0) / 4.0                                       as recent_weekly_mean,
        case when baseline_weeks > 0 then baseline_sum / baseline_weeks end          as baseline_mean,
        case when baseline_weeks > 1
             then sqrt(greatest(0.0, (baseline_sumsq - baseline_sum * baseline_sum / baseline_weeks) / (baseline_weeks - 1)))
        end                                                                         as baseline_sd
    from stats
)
select
    as_of_date,
    dimension,
    dimension_value,
    cast(coalesce(recent_complaints, 0) as bigint)                  as recent_complaints,
    recent_weekly_mean,
    cast(baseline_weeks as integer)                                 as baseline_weeks,
    cast(baseline_sum as bigint)                                    as baseline_complaints,
    baseline_mean,
    baseline_sd,
    baseline_mean + cast({{ k_sd }} as double) * baseline_sd        as threshold,
    case
        when baseline_weeks < {{ min_weeks }} then 'insufficient_history'
        when recent_weekly_mean > baseline_mean + cast({{ k_sd }} as double) * baseline_sd
             and coalesce(recent_complaints, 0) >= {{ min_n }} then 'emerging'
        else 'normal'
    end                                                             as status,
    case when baseline_mean > 0 then round(recent_weekly_mean / baseline_mean, 2) end as ratio_to_baseline
from measured
