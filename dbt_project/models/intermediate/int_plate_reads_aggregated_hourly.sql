{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['hour_local', 'blockface_id'],
    on_schema_change='fail'
) }}
{#-
  Plate reads per local hour and blockface, without plates: the only form in which read
  history outlives the ALPR retention purge (non-hit reads are deleted after 24 h).

  Blockface of a read: the nearest blockface centroid within var('occupancy_match_radius_m')
  metres (equirectangular distance). To avoid a reads x blockfaces cross join, centroids
  are put on a grid of var('occupancy_grid_deg') degrees and each read is compared only
  with the blockfaces in its own and the 8 neighbouring cells. Reads with no blockface in
  range land in blockface_id '-1' (they still count as reads, not for occupancy).

  occupancy_pct = least(100, 100 * distinct plates read in the hour / blockface spaces).

  Incremental: each run recomputes only the hours that received reads landed after the
  last run (_landed_at watermark) and keeps, per (hour, blockface), the larger of the old
  and the new counts, so purged reads never lower a count already recorded. Hours not
  touched keep their rows. A --full-refresh rebuilds from the reads still in raw.
-#}
{%- set radius_m = var('occupancy_match_radius_m', 100) -%}
{%- set cell = var('occupancy_grid_deg', 0.0015) -%}

with reads as (
    select
        read_id,
        coalesce(plate_normalized, read_id) || '|' || coalesce(province, '') as vehicle_key,
        captured_hour_local,
        lat,
        lon,
        _landed_at
    from {{ ref('stg_alpr__plate_reads') }}
    where captured_hour_local is not null
),

{% if is_incremental() %}
watermark as (
    select coalesce(max(max_landed_at), '-infinity'::timestamptz) as landed_after
    from {{ this }}
),
touched_hours as (
    select distinct r.captured_hour_local
    from reads as r, watermark as w
    where coalesce(r._landed_at, 'infinity'::timestamptz) > w.landed_after
),
scoped as (
    select reads.*
    from reads
    semi join touched_hours using (captured_hour_local)
),
{% else %}
scoped as (
    select * from reads
),
{% endif %}

blockfaces as (
    select
        blockface_id,
        centroid_lat,
        centroid_lon,
        cast(floor(centroid_lat / {{ cell }}) as bigint) as cell_y,
        cast(floor(centroid_lon / {{ cell }}) as bigint) as cell_x
    from {{ ref('stg_gis__blockfaces') }}
    where centroid_lat is not null and centroid_lon is not null
),

blockface_cells as (
    -- each blockface is a candidate for reads in its own cell and the 8 around it
    select b.blockface_id, b.centroid_lat, b.centroid_lon,
           b.cell_y + dy.d as cell_y, b.cell_x + dx.d as cell_x
    from blockfaces as b
    cross join (values (-1), (0), (1)) as dy(d)
    cross join (values (-1), (0), (1)) as dx(d)
),

read_cells as (
    select
        read_id, lat, lon,
        cast(floor(lat / {{ cell }}) as bigint) as cell_y,
        cast(floor(lon / {{ cell }}) as bigint) as cell_x
    from scoped
    where lat is not null and lon is not null
),

candidates as (
    select
        r.read_id,
        c.blockface_id,
        sqrt(
            pow((r.lat - c.centroid_lat) * 111320.0, 2)
            + pow((r.lon - c.centroid_lon) * 111320.0 * cos(radians(r.lat)), 2)
        ) as distance_m
    from read_cells as r
    join blockface_cells as c
      on c.cell_y = r.cell_y and c.cell_x = r.cell_x
),

nearest as (
    select read_id, arg_min(blockface_id, {'d': distance_m, 'id': blockface_id}) as blockface_id
    from candidates
    where distance_m <= {{ radius_m }}
    group by read_id
),

aggregated as (
    select
        s.captured_hour_local                        as hour_local,
        coalesce(n.blockface_id, '-1')               as blockface_id,
        count(*)                                     as reads,
        count(distinct s.vehicle_key)                as distinct_plates,
        max(s._landed_at)                            as max_landed_at
    from scoped as s
    left join nearest as n using (read_id)
    group by all
),

{% if is_incremental() %}
merged as (
    select
        a.hour_local,
        a.blockface_id,
        greatest(a.reads, coalesce(o.reads, 0))                     as reads,
        greatest(a.distinct_plates, coalesce(o.distinct_plates, 0)) as distinct_plates,
        greatest(a.max_landed_at, o.max_landed_at)                  as max_landed_at
    from aggregated as a
    left join {{ this }} as o
      on o.hour_local = a.hour_local and o.blockface_id = a.blockface_id
),
{% else %}
merged as (
    select * from aggregated
),
{% endif %}

spaces as (
    select blockface_id, spaces from {{ ref('stg_gis__blockfaces') }}
)

select
    m.hour_local,
    cast(m.hour_local as date)                       as day,
    m.blockface_id,
    cast(m.reads as bigint)                          as reads,
    cast(m.distinct_plates as bigint)                as distinct_plates,
    sp.spaces,
    case
        when m.blockface_id <> '-1' and sp.spaces > 0
        then least(100.0, 100.0 * m.distinct_plates / sp.spaces)
    end                                              as occupancy_pct,
    m.max_landed_at
from merged as m
left join spaces as sp using (blockface_id)
