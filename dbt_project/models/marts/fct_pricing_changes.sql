{#-
  Meter rate changes and their effect, one row per blockface and change (the meters of a
  blockface changing rate at the same instant are one change).

  Effect: the var('pricing_effect_window_days') (28) days before the change against the
  same span after it, on that blockface. A window stops at the blockface's previous / next
  change and at the edges of the data (first and last local day of meter events and
  pay-by-plate sessions), so before_hours / after_hours are the hours actually compared.

  occupancy_*_pct          mean occupancy_pct (int_plate_reads_aggregated_hourly, as in
                           fct_occupancy_hourly) over the blockface's
                           observed hours in the window.
  meter_revenue_*          meter payments (coin + card) at the blockface's meters.
  session_revenue_*        pay-by-plate revenue of the blockface's zone (sessions carry a
                           zone, not a blockface), allocated to paid blockfaces in proportion
                           to their spaces: zone revenue * spaces / zone's paid spaces.
  revenue_per_space_hour_* (meter + session revenue) / (spaces * window hours).
  *_change_pct             100 * (after - before) / before; occupancy_change_pts = after - before.

  old_rate_per_hour: the blockface's previous rate change, else the meter inventory's rate
  when the inventory was delivered before the change, else NULL.
-#}
{%- set window_days = var('pricing_effect_window_days', 28) | int -%}

with meters as (
    select meter_id, blockface_id, zone_id, rate_per_hour, _delivered_on
    from {{ ref('stg_meters__meters') }}
    where meter_id is not null
),

blockfaces as (
    select blockface_id, zone_id, spaces, is_paid from {{ ref('dim_blockfaces') }} where not is_unknown
),

zone_paid_spaces as (
    select zone_id, sum(spaces) as paid_spaces from blockfaces where is_paid group by zone_id
),

rate_events as (
    select e.meter_id, m.blockface_id, e.occurred_at, e.new_rate_per_hour
    from {{ ref('stg_meters__events') }} as e
    join meters as m using (meter_id)
    where e.event_type = 'rate_change'
      and e.occurred_at is not null
      and e.new_rate_per_hour is not null
      and m.blockface_id is not null
),

changes as (
    select
        blockface_id,
        occurred_at                     as effective_at,
        max(new_rate_per_hour)          as new_rate_per_hour,
        count(distinct meter_id)        as meters_changed
    from rate_events
    group by blockface_id, occurred_at
),

inventory_rates as (
    select blockface_id, avg(rate_per_hour) as rate_per_hour, max(_delivered_on) as delivered_on
    from meters
    group by blockface_id
),

data_bounds as (
    -- first and last local day of meter events and sessions, as instants
    select
        {{ from_local('min(lo)') }}         as data_start_at,
        {{ from_local('max(hi) + 1') }}     as data_end_at
    from (
        select min(occurred_date) as lo, max(occurred_date) as hi from {{ ref('stg_meters__events') }}
        union all
        select min(started_date), max(started_date) from {{ ref('stg_paybyplate__sessions') }}
    )
),

sequenced as (
    select
        c.*,
        lag(c.new_rate_per_hour) over w     as previous_new_rate,
        lag(c.effective_at) over w          as previous_change_at,
        lead(c.effective_at) over w         as next_change_at
    from changes as c
    window w as (partition by c.blockface_id order by c.effective_at)
),

windows as (
    select
        s.blockface_id,
        s.effective_at,
        s.new_rate_per_hour,
        s.meters_changed,
        coalesce(
            s.previous_new_rate,
            case when ir.delivered_on < {{ local_date('s.effective_at') }} then ir.rate_per_hour end
        )                                                                   as old_rate_per_hour,
        b.zone_id,
        b.spaces,
        b.is_paid,
        greatest(
            s.effective_at - interval {{ window_days }} days,
            coalesce(s.previous_change_at, '-infinity'::timestamptz),
            coalesce(db.data_start_at, s.effective_at)
        )                                                                   as before_start_at,
        s.effective_at                                                      as after_start_at,
        least(
            s.effective_at + interval {{ window_days }} days,
            coalesce(s.next_change_at, 'infinity'::timestamptz),
            coalesce(db.data_end_at, s.effective_at)
        )                                                                   as after_end_at
    from sequenced as s
    left join blockfaces as b using (blockface_id)
    left join inventory_rates as ir using (blockface_id)
    cross join data_bounds as db
),

periods as (
    -- two rows per change: 'before' = [before_start_at, effective_at), 'after' = [effective_at, after_end_at)
    select blockface_id, effective_at, zone_id, 'before' as period,
           before_start_at as period_start_at, effective_at as period_end_at
    from windows
    union all
    select blockface_id, effective_at, zone_id, 'after', effective_at, after_end_at
    from windows
),

meter_revenue as (
    select p.blockface_id, p.effective_at, p.period, sum(e.payment_amount) as revenue
    from periods as p
    join meters as m on m.blockface_id = p.blockface_id
    join {{ ref('stg_meters__events') }} as e
      on e.meter_id = m.meter_id
     and e.is_payment
     and e.occurred_at >= p.period_start_at
     and e.occurred_at < p.period_end_at
    group by all
),

zone_periods as (
    -- most blockfaces of a zone change at once: total each distinct zone window once
    select distinct zone_id, period_start_at, period_end_at from periods where zone_id is not null
),

zone_session_revenue as (
    select zp.zone_id, zp.period_start_at, zp.period_end_at, sum(s.amount) as revenue
    from zone_periods as zp
    join {{ ref('stg_paybyplate__sessions') }} as s
      on s.zone_code = zp.zone_id
     and s.started_at >= zp.period_start_at
     and s.started_at < zp.period_end_at
    group by all
),

occupancy as (
    select p.blockface_id, p.effective_at, p.period,
           avg(h.occupancy_pct) as occupancy_pct, count(*) as observed_hours
    from periods as p
    join {{ ref('int_plate_reads_aggregated_hourly') }} as h
      on h.blockface_id = p.blockface_id
     and h.hour_start >= p.period_start_at
     and h.hour_start < p.period_end_at
    group by all
),

per_period as (
    select
        p.blockface_id,
        p.effective_at,
        p.period,
        greatest(0.0, {{ hours_between('p.period_start_at', 'p.period_end_at') }}) as hours,
        coalesce(mr.revenue, 0.0)                                               as meter_revenue,
        case when w.is_paid and zps.paid_spaces > 0
             then coalesce(zr.revenue, 0.0) * w.spaces / zps.paid_spaces
             else 0.0 end                                                       as session_revenue,
        o.occupancy_pct,
        coalesce(o.observed_hours, 0)                                           as observed_hours
    from periods as p
    join windows as w using (blockface_id, effective_at)
    left join zone_paid_spaces as zps on zps.zone_id = w.zone_id
    left join meter_revenue as mr using (blockface_id, effective_at, period)
    left join zone_session_revenue as zr
      on zr.zone_id = p.zone_id
     and zr.period_start_at = p.period_start_at
     and zr.period_end_at = p.period_end_at
    left join occupancy as o using (blockface_id, effective_at, period)
),

pivoted as (
    select
        blockface_id,
        effective_at,
        max(hours) filter (where period = 'before')            as before_hours,
        max(hours) filter (where period = 'after')             as after_hours,
        max(meter_revenue) filter (where period = 'before')    as meter_revenue_before,
        max(meter_revenue) filter (where period = 'after')     as meter_revenue_after,
        max(session_revenue) filter (where period = 'before')  as session_revenue_before,
        max(session_revenue) filter (where period = 'after')   as session_revenue_after,
        max(occupancy_pct) filter (where period = 'before')    as occupancy_before_pct,
        max(occupancy_pct) filter (where period = 'after')     as occupancy_after_pct,
        max(observed_hours) filter (where period = 'before')   as observed_hours_before,
        max(observed_hours) filter (where period = 'after')    as observed_hours_after
    from per_period
    group by blockface_id, effective_at
),

measured as (
    select
        w.*,
        p.* exclude (blockface_id, effective_at),
        case when w.spaces > 0 and p.before_hours > 0
             then (p.meter_revenue_before + p.session_revenue_before) / (w.spaces * p.before_hours) end
                                                                as revenue_per_space_hour_before,
        case when w.spaces > 0 and p.after_hours > 0
             then (p.meter_revenue_after + p.session_revenue_after) / (w.spaces * p.after_hours) end
                                                                as revenue_per_space_hour_after
    from windows as w
    join pivoted as p using (blockface_id, effective_at)
)

select
    blockface_id || '@' || strftime(effective_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as pricing_change_id,
    blockface_id,
    coalesce(zone_id, '-1')                                         as zone_id,
    effective_at,
    {{ local_date('effective_at') }}                                as effective_date,
    cast(meters_changed as bigint)                                  as meters_changed,
    cast(spaces as bigint)                                          as spaces,
    cast(old_rate_per_hour as double)                               as old_rate_per_hour,
    cast(new_rate_per_hour as double)                               as new_rate_per_hour,
    cast(case when old_rate_per_hour > 0
              then round(100.0 * (new_rate_per_hour - old_rate_per_hour) / old_rate_per_hour, 6) end as double)
                                                                    as rate_change_pct,
    cast({{ window_days }} as integer)                              as window_days,
    before_start_at,
    after_end_at,
    cast(round(before_hours, 6) as double)                          as before_hours,
    cast(round(after_hours, 6) as double)                           as after_hours,
    cast(observed_hours_before as bigint)                           as observed_hours_before,
    cast(observed_hours_after as bigint)                            as observed_hours_after,
    cast(round(occupancy_before_pct, 6) as double)                  as occupancy_before_pct,
    cast(round(occupancy_after_pct, 6) as double)                   as occupancy_after_pct,
    cast(round(occupancy_after_pct - occupancy_before_pct, 6) as double) as occupancy_change_pts,
    cast(round(meter_revenue_before, 6) as double)                  as meter_revenue_before,
    cast(round(meter_revenue_after, 6) as double)                   as meter_revenue_after,
    cast(round(session_revenue_before, 6) as double)                as session_revenue_before,
    cast(round(session_revenue_after, 6) as double)                 as session_revenue_after,
    cast(round(revenue_per_space_hour_before, 6) as double)         as revenue_per_space_hour_before,
    cast(round(revenue_per_space_hour_after, 6) as double)          as revenue_per_space_hour_after,
    cast(case when revenue_per_space_hour_before > 0
              then round(100.0 * (revenue_per_space_hour_after - revenue_per_space_hour_before)
                         / revenue_per_space_hour_before, 6) end as double)
                                                                    as revenue_per_space_hour_change_pct
from measured
