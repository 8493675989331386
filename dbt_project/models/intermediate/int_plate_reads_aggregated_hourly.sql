{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['hour_start', 'blockface_id'],
    on_schema_change='fail'
) }}
{#-
  Plate reads per hour and blockface, without plates: the form in which read history
  outlives the ALPR retention purge (non-hit reads are deleted after 24 h).

  Blockface of a read: the nearest blockface centroid within
  var('occupancy_match_radius_m') metres (equirectangular distance), by the shared
  macros read_snap_cell / blockface_match_lookup (macros/blockface_matching.sql; linear in
  reads: snapped ~10 m cells, candidates from a coarse grid, no reads x blockfaces join).
  Reads with no blockface in range land in blockface_id '-1': they count as reads, not
  for occupancy.

  Hours are UTC-aligned buckets (equal to local hours for whole-hour UTC offsets, as in
  Ontario); hour_start is the instant (TIMESTAMPTZ, unique also across the DST fall-back
  hour), hour_local its local wall-clock time and day its local date.

  occupancy_pct = least(100, 100 * distinct vehicles (plate + province) read in the hour
  / blockface spaces).

  Incremental: a run recomputes only the hours that received reads landed after the last
  run (_landed_at watermark) and keeps, per (hour, blockface), the larger of the stored and
  recomputed counts, so reads purged since never lower a count already recorded. Untouched
  hours keep their rows. --full-refresh rebuilds from the reads still in raw.
-#}
with reads as (
    select
        read_id,
        {{ vehicle_key('plate', 'province') }}                  as vehicle_key,
        cast(floor(epoch(captured_at) / 3600) as bigint)   as hour_epoch,
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
touched_hours as (
    select distinct r.hour_epoch
    from reads as r, watermark as w
    where coalesce(r._landed_at, 'infinity'::timestamptz) > w.landed_after
),
scoped as (
    select reads.*
    from reads
    semi join touched_hours using (hour_epoch)
),
{% else %}
scoped as (
    select * from reads
),
{% endif %}

nearest as (
    {{ blockface_match_lookup('scoped') }}
),

per_vehicle as (
    -- two plain aggregations are cheaper than count(distinct) over millions of groups
    select
        r.hour_epoch,
        coalesce(n.blockface_id, '-1')      as blockface_id,
        r.vehicle_key,
        count(*)                            as reads,
        max(r._landed_at)                   as max_landed_at
    from scoped as r
    left join nearest as n
      on n.snap_y = r.snap_y and n.snap_x = r.snap_x
    group by all
),

aggregated as (
    select
        hour_epoch,
        blockface_id,
        sum(reads)                          as reads,
        count(*)                            as distinct_plates,
        max(max_landed_at)                  as max_landed_at
    from per_vehicle
    group by all
),

hours as (
    select
        hour_epoch,
        blockface_id,
        reads,
        distinct_plates,
        max_landed_at,
        to_timestamp(hour_epoch * 3600) as hour_start
    from aggregated
),

{% if is_incremental() %}
merged as (
    select
        h.hour_start,
        h.blockface_id,
        greatest(h.reads, coalesce(o.reads, 0))                     as reads,
        greatest(h.distinct_plates, coalesce(o.distinct_plates, 0)) as distinct_plates,
        greatest(h.max_landed_at, o.max_landed_at)                  as max_landed_at
    from hours as h
    left join {{ this }} as o
      on o.hour_start = h.hour_start and o.blockface_id = h.blockface_id
),
{% else %}
merged as (
    select hour_start, blockface_id, reads, distinct_plates, max_landed_at from hours
),
{% endif %}

spaces as (
    select blockface_id, spaces from {{ ref('stg_gis__blockfaces') }}
)

select
    cast(m.hour_start as timestamptz)               as hour_start,
    {{ local_ts('m.hour_start') }}                  as hour_local,
    {{ local_date('m.hour_start') }}                as day,
    m.blockface_id,
    cast(m.reads as bigint)                         as reads,
    cast(m.distinct_plates as bigint)               as distinct_plates,
    sp.spaces,
    case
        when m.blockface_id <> '-1' and sp.spaces > 0
        then least(100.0, 100.0 * m.distinct_plates / sp.spaces)
    end                                             as occupancy_pct,
    m.max_landed_at
from merged as m
left join spaces as sp using (blockface_id)
