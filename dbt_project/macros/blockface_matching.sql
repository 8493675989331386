{#- Read -> blockface matching, shared by every model that places plate reads on the street
    (int_plate_reads_aggregated_hourly for occupancy, int_plate_reads_aggregated_by_shift for
    route coverage), so both use one rule:

      the blockface of a read is the nearest blockface centroid within
      var('occupancy_match_radius_m') metres (equirectangular distance).

    Linear in reads:
      1. reads are snapped to small cells of var('occupancy_snap_deg') degrees (~10 m):
         read_snap_cell(lat, lon) gives the columns snap_y, snap_x;
      2. for each distinct snapped cell (not each read) the nearest centroid is found among
         the blockfaces in the same and the 8 neighbouring cells of a coarse grid of
         var('occupancy_grid_deg') degrees (no reads x blockfaces cross join):
         blockface_match_lookup(relation) returns (snap_y, snap_x, blockface_id) for the
         distinct cells of `relation` (a CTE or relation with columns snap_y, snap_x);
      3. the caller joins its reads to that lookup on (snap_y, snap_x); reads with no
         blockface in range get no lookup row (callers use '-1').

    Usage:
        reads as (select ..., {{ read_snap_cell('lat', 'lon') }} from ...),
        nearest as ({{ blockface_match_lookup('reads') }}),
        ... left join nearest as n on n.snap_y = r.snap_y and n.snap_x = r.snap_x
-#}

{% macro read_snap_cell(lat, lon) -%}
    {%- set fine = var('occupancy_snap_deg', 0.0001) -%}
    cast(floor({{ lat }} / {{ fine }}) as bigint)            as snap_y,
    cast(floor({{ lon }} / {{ fine }}) as bigint)            as snap_x
{%- endmacro %}

{% macro blockface_match_lookup(cells_relation) -%}
    {%- set radius_m = var('occupancy_match_radius_m', 100) -%}
    {%- set coarse = var('occupancy_grid_deg', 0.0015) -%}
    {%- set fine = var('occupancy_snap_deg', 0.0001) -%}
    with blockface_cells as (
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
        from (select distinct snap_y, snap_x from {{ cells_relation }} where snap_y is not null and snap_x is not null)
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
    )

    select snap_y, snap_x, arg_min(blockface_id, {'d': distance_m, 'id': blockface_id}) as blockface_id
    from candidates
    where distance_m <= {{ radius_m }}
    group by snap_y, snap_x
{%- endmacro %}
