{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['shift_id', 'blockface_id'],
    on_schema_change='fail'
) }}
{#-
  Plate reads per officer shift and blockface, without plates: what shift analytics
  (fct_officer_shifts) needs from the read stream, in a form that outlives the ALPR
  retention purge (non-hit reads are deleted after 24 h).

  Read -> shift: a read belongs to the shift of its ALPR unit (unit_id) or its officer
  (officer_id) whose [shift_start, shift_end) holds captured_at. When several shifts
  qualify (a unit handed over between two officers, overlapping minutes), the one matching
  both unit and officer wins, then officer only, then the latest start. Reads matching no
  shift are not in this model (they still count in int_plate_reads_aggregated_hourly).

  Read -> blockface: the shared matching rule (macros/blockface_matching.sql: nearest
  blockface centroid within var('occupancy_match_radius_m')), exactly as for occupancy;
  '-1' = no blockface in range. A blockface is "passed" by a shift when at least one of
  the shift's reads matched it (the reads' positions are the patrol car's GPS track).

  vehicles = distinct plate + province per (shift, blockface); summed over a shift's
  blockfaces it counts parked vehicles observed (a car moved to another blockface counts
  again: it parked again).

  Joins use UTC day buckets (a shift spans one or two) so reads x shifts is an equi-join.

  Incremental (same contract as int_plate_reads_aggregated_hourly): a run recomputes only
  the shifts touched since the last run (shifts landed after the watermark, or whose days
  received newly landed reads) from the reads still in raw, and keeps per (shift,
  blockface) the larger of stored and recomputed counts, so the purge never lowers a
  recorded count. --full-refresh rebuilds from the reads still in raw.
-#}

with shifts as (
    select shift_id, officer_id, unit_id, shift_start, shift_end, _landed_at
    from {{ ref('stg_staff__shifts') }}
    where shift_id is not null
      and shift_start is not null
      and shift_end > shift_start
),

shift_days as (
    select
        shift_id, officer_id, unit_id, shift_start, shift_end, _landed_at,
        unnest(range(
            cast(floor(epoch(shift_start) / 86400) as bigint),
            cast(floor(epoch(shift_end) / 86400) as bigint) + 1
        )) as day_bucket
    from shifts
),

reads as (
    select
        read_id,
        {{ vehicle_key('plate', 'province') }}                  as vehicle_key,
        captured_at,
        unit_id,
        officer_id,
        cast(floor(epoch(captured_at) / 86400) as bigint)  as day_bucket,
        {{ read_snap_cell('lat', 'lon') }},
        _landed_at
    from {{ ref('stg_alpr__plate_reads') }}
    where captured_at is not null
),

{% if is_incremental() %}
watermark as (
    select coalesce(max(max_landed_at), '-infinity'::timestamptz) as landed_after
    from {{ this }}
),
touched_days as (
    select distinct r.day_bucket
    from reads as r, watermark as w
    where coalesce(r._landed_at, 'infinity'::timestamptz) > w.landed_after
),
touched_shifts as (
    select distinct sd.shift_id
    from shift_days as sd, watermark as w
    where coalesce(sd._landed_at, 'infinity'::timestamptz) > w.landed_after
       or sd.day_bucket in (select day_bucket from touched_days)
),
scoped_days as (
    -- every day of a touched shift, so the shift is recomputed whole
    select distinct day_bucket
    from shift_days
    semi join touched_shifts using (shift_id)
),
scoped_reads as materialized (
    -- materialized: used three times below; the reads view deduplicates on every scan
    select * from reads semi join scoped_days using (day_bucket)
),
{% else %}
touched_shifts as (
    select shift_id from shifts
),
scoped_reads as materialized (
    -- materialized: used three times below; the reads view deduplicates on every scan
    select * from reads
),
{% endif %}

candidates as (
    select
        r.*,
        sd.shift_id,
        coalesce(r.officer_id = sd.officer_id, false)   as officer_match,
        true                                            as unit_match,
        sd.shift_start
    from scoped_reads as r
    join shift_days as sd
      on sd.day_bucket = r.day_bucket
     and sd.unit_id = r.unit_id
     and r.captured_at >= sd.shift_start
     and r.captured_at < sd.shift_end
    union all
    select
        r.*,
        sd.shift_id,
        true,
        coalesce(r.unit_id = sd.unit_id, false),
        sd.shift_start
    from scoped_reads as r
    join shift_days as sd
      on sd.day_bucket = r.day_bucket
     and sd.officer_id = r.officer_id
     and r.captured_at >= sd.shift_start
     and r.captured_at < sd.shift_end
),

attributed as (
    -- one shift per read
    select * exclude (officer_match, unit_match, shift_start)
    from candidates
    qualify row_number() over (
        partition by read_id
        order by (officer_match and unit_match) desc, officer_match desc, shift_start desc, shift_id
    ) = 1
),

nearest as (
    {{ blockface_match_lookup('scoped_reads') }}
),

per_vehicle as (
    select
        r.shift_id,
        coalesce(n.blockface_id, '-1')      as blockface_id,
        r.vehicle_key,
        count(*)                            as reads,
        min(r.captured_at)                  as first_read_at,
        max(r.captured_at)                  as last_read_at,
        max(r._landed_at)                   as max_landed_at
    from attributed as r
    semi join touched_shifts using (shift_id)
    left join nearest as n
      on n.snap_y = r.snap_y and n.snap_x = r.snap_x
    group by all
),

aggregated as (
    select
        p.shift_id,
        p.blockface_id,
        sum(p.reads)                        as reads,
        count(*)                            as vehicles,
        min(p.first_read_at)                as first_read_at,
        max(p.last_read_at)                 as last_read_at,
        greatest(max(p.max_landed_at), any_value(s._landed_at)) as max_landed_at
    from per_vehicle as p
    join shifts as s using (shift_id)
    group by p.shift_id, p.blockface_id
),

{% if is_incremental() %}
merged as (
    select
        a.shift_id,
        a.blockface_id,
        greatest(a.reads, coalesce(o.reads, 0))             as reads,
        greatest(a.vehicles, coalesce(o.vehicles, 0))       as vehicles,
        least(a.first_read_at, o.first_read_at)             as first_read_at,
        greatest(a.last_read_at, o.last_read_at)            as last_read_at,
        greatest(a.max_landed_at, o.max_landed_at)          as max_landed_at
    from aggregated as a
    left join {{ this }} as o
      on o.shift_id = a.shift_id and o.blockface_id = a.blockface_id
)
{% else %}
merged as (
    select * from aggregated
)
{% endif %}

select
    cast(shift_id as varchar)               as shift_id,
    cast(blockface_id as varchar)           as blockface_id,
    cast(reads as bigint)                   as reads,
    cast(vehicles as bigint)                as vehicles,
    cast(first_read_at as timestamptz)      as first_read_at,
    cast(last_read_at as timestamptz)       as last_read_at,
    cast(max_landed_at as timestamptz)      as max_landed_at
from merged
