{#-
  Each metric of each shift in fct_officer_shifts against three baselines. Peers are shifts
  of the same mode (ALPR with ALPR, foot with foot): plates scanned or route coverage mean
  nothing for a foot patrol, and ALPR versus manual is compared side by side instead.
  A baseline is the mean of the peers' per-shift values (NULLs skipped, e.g. no reads).

  team_day_avg   all peer shifts of the same local day (this one included)
  weekday_avg    peer shifts on the same weekday in the var('shift_weekday_weeks') (8)
                 weeks before (same weekday and season; this day excluded)
  zone_avg       peer shifts in the same zone in the var('shift_zone_window_days') (28)
                 days ending with the shift's day (this one included)
  *_shifts       how many shift values the mean is over (0: no baseline, avg NULL)
  *_delta        value - baseline (percentage points for % metrics)
  Rows: one per shift and metric that applies to its mode (a foot patrol has no plates
  scanned, detection rate, route coverage or compliance rate: no reads).
  Averages and deltas are rounded to 6 decimals.
  better_direction  'up' when a higher value is better, 'neutral' when neither is
                 (more tickets or detections are not goals in themselves)
-#}
{%- set weekday_weeks = var('shift_weekday_weeks', 8) | int -%}
{%- set zone_days = var('shift_zone_window_days', 28) | int -%}
{%- set metrics = [
    ('plates_scanned',      'Plates scanned',      'count', 'up',      1, ['alpr']),
    ('violations_detected', 'Violations detected', 'count', 'neutral', 2, ['alpr', 'foot']),
    ('detection_rate_pct',  'Detection rate',      '%',     'neutral', 3, ['alpr']),
    ('tickets_issued',      'Tickets issued',      'count', 'neutral', 4, ['alpr', 'foot']),
    ('tickets_per_hour',    'Tickets per hour',    'per h', 'neutral', 5, ['alpr', 'foot']),
    ('route_coverage_pct',  'Route coverage',      '%',     'up',      6, ['alpr']),
    ('compliance_rate_pct', 'Compliance rate',     '%',     'up',      7, ['alpr']),
] -%}

with shifts as (
    select * from {{ ref('fct_officer_shifts') }}
),

values_long as (
    {%- for m in metrics %}
    select
        shift_id, shift_date, mode, zone_id,
        '{{ m[0] }}' as metric, '{{ m[1] }}' as metric_label, '{{ m[2] }}' as unit,
        '{{ m[3] }}' as better_direction, {{ m[4] }} as sort_order,
        cast({{ m[0] }} as double) as value
    from shifts
    where mode in ('{{ m[5] | join("', '") }}')
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

team_daily as (
    -- per mode, day and metric: the sum and count of the shifts' values
    select mode, shift_date, metric, sum(value) as value_sum, count(value) as value_n
    from values_long
    group by all
),

weekday_windows as (
    select
        mode, shift_date, metric,
        sum(value_sum) over w as value_sum,
        sum(value_n) over w   as value_n
    from team_daily
    window w as (
        partition by mode, metric, isodow(shift_date)
        order by shift_date
        range between interval {{ 7 * weekday_weeks }} days preceding and interval 7 days preceding
    )
),

zone_daily as (
    select mode, zone_id, shift_date, metric, sum(value) as value_sum, count(value) as value_n
    from values_long
    group by all
),

zone_windows as (
    select
        mode, zone_id, shift_date, metric,
        sum(value_sum) over w as value_sum,
        sum(value_n) over w   as value_n
    from zone_daily
    window w as (
        partition by mode, zone_id, metric
        order by shift_date
        range between interval {{ zone_days - 1 }} days preceding and current row
    )
),

joined as (
    select
        v.*,
        t.value_sum / nullif(t.value_n, 0)      as team_day_avg,
        coalesce(t.value_n, 0)                  as team_day_shifts,
        w.value_sum / nullif(w.value_n, 0)      as weekday_avg,
        coalesce(w.value_n, 0)                  as weekday_shifts,
        z.value_sum / nullif(z.value_n, 0)      as zone_avg,
        coalesce(z.value_n, 0)                  as zone_shifts
    from values_long as v
    left join team_daily as t
      on t.mode = v.mode and t.shift_date = v.shift_date and t.metric = v.metric
    left join weekday_windows as w
      on w.mode = v.mode and w.shift_date = v.shift_date and w.metric = v.metric
    left join zone_windows as z
      on z.mode = v.mode and z.zone_id is not distinct from v.zone_id
     and z.shift_date = v.shift_date and z.metric = v.metric
)

select
    shift_id,
    shift_date,
    mode,
    zone_id,
    metric,
    metric_label,
    unit,
    better_direction,
    cast(sort_order as integer)                         as sort_order,
    cast(value as double)                               as value,
    cast(round(team_day_avg, 6) as double)              as team_day_avg,
    cast(team_day_shifts as bigint)                     as team_day_shifts,
    cast(round(value - team_day_avg, 6) as double)      as team_day_delta,
    cast(round(weekday_avg, 6) as double)               as weekday_avg,
    cast(weekday_shifts as bigint)                      as weekday_shifts,
    cast(round(value - weekday_avg, 6) as double)       as weekday_delta,
    cast(round(zone_avg, 6) as double)                  as zone_avg,
    cast(zone_shifts as bigint)                         as zone_shifts,
    cast(round(value - zone_avg, 6) as double)          as zone_delta
from joined
