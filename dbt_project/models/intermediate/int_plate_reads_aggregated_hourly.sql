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
  var('occupancy_match_radius_m') metres (equirectangular distance). Linear in reads:
    1. reads are snapped to small cells of var('occupancy_snap_deg') degrees (~10 m);
    2. for each distinct snapped cell (not each read) the nearest centroid is found among
       the blockfaces in the same and the 8 neighbouring cells of a coarse grid of
       var('occupancy_grid_deg') degrees (no reads x blockfaces cross join);
    3. reads join that lookup on their cell.
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
{%- set radius_m = var('occupancy_match_radius_m', 100) -%}
{%- set coarse = var('occupancy_grid_deg', 0.0015) -%}
{%- set fine = var('occupancy_snap_deg', 0.0001) -%}

with reads as (
    select
        read_id,
        -- a vehicle is plate + province; a 64-bit hash is enough to count distinct ones
        hash(replace(replace(plate, ' ', ''), '-', ''), coalesce(province, '')) as vehicle_key,
        cast(floor(epoch(captured_at) / 3600) as bigint)   as hour_epoch,
        cast(floor(lat / {{ fine }}) as bigint)            as snap_y,
        cast(floor(lon / {{ fine }}) as bigint)            as snap_x,
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

blockface_cells as (
    -- each blockface is a candidate for its own coarse cell and the 8 around it
    select
        b.blockface_id, b.centroid_lat, b.centroid_lon,
        cast(floor(b.centroid_lat / {{ coarse }}) as bigint) + dy.d as cell_y,
        cast(floor(b.centroid_lon / {{ coarse }}) as bigint) + dx.d as cell_x
    from {{ ref('stg_gis__blockfaces') }} as b
    cross join (values (-1), (0), (1)) as dy(d)
    cross join (values (-1), (0), (1)) as dx(d)
    where b.centroid_lat is not null and b.centroid_lon is not null and b.blockface_id is not null
),

snap_cells as (
    select
        snap_y, snap_x,
        (snap_y + 0.5) * {{ fine }} as lat,
        (snap_x + 0.5) * {{ fine }} as lon
    from (select distinct snap_y, snap_x from scoped where snap_y is not null and snap_x is not null)
),

candidates as (
    select
        s.snap_y,
        s.snap_x,
        c.blockface_id,
        sqrt(
            pow((s.lat - c.centroid_lat) * 111320.0, 2)
            + pow((s.lon - c.centroid_lon) * 111320.0 * cos(radians(s.lat)), 2)
        ) as distance_m
    from snap_cells as s
    join blockface_cells as c
      on c.cell_y = cast(floor(s.lat / {{ coarse }}) as bigint)
     and c.cell_x = cast(floor(s.lon / {{ coarse }}) as bigint)
),

nearest as (
    select snap_y, snap_x, arg_min(blockface_id, {'d': distance_m, 'id': blockface_id}) as blockface_id
    from candidates
    where distance_m <= {{ radius_m }}
    group by snap_y, snap_x
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
