{#- Where a read is: the blockface whose kerb line is nearest, and how far along it.

    The violation rules need more than occupancy's centroid matching
    (macros/blockface_matching.sql): the nearest centroid is the cross street's blockface for
    cars near the ends of a long block (~15% of them on a 116 m block), and the hydrant,
    accessible and signed stretches are positions along the kerb. Same approach, exact
    geometry:
      1. each blockface's LineString is cut into straight pieces (a blockface without a
         usable LineString is a point at its centroid);
      2. each piece is registered in every cell of a grid of `cell_deg` degrees that its
         bounding box, grown by the radius, touches (a small table: blockfaces x ~10 cells);
      3. each point joins the pieces registered in its own cell (no points x blockfaces join)
         and keeps the nearest within `radius_m` metres;
         along_m = metres from the LineString's first vertex to the nearest point on it.
    Distances are local equirectangular metres (111,132 m per degree of latitude, 111,320 m
    x cos(latitude) per degree of longitude), exact to centimetres over a block.

    kerb_pieces(blockfaces): blockface_id, piece, lat0, lon0, lat1, lon1, from_m, length_m.
    locate_on_blockfaces(points, key, blockfaces, radius_m, cell_deg): key, blockface_id,
    distance_m, along_m for the points (columns key, lat, lon) with a blockface in range. -#}

{% macro kerb_pieces(blockfaces) -%}
    with kerb_src as (
        select
            blockface_id, centroid_lat, centroid_lon,
            case when geometry_wkt ilike 'LINESTRING%' and not geometry_wkt ilike 'LINESTRING Z%'
                 then regexp_extract_all(geometry_wkt, '-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?') end as nums
        from {{ blockfaces }}
        where blockface_id is not null
    ),
    kerb_lines as (
        select * from kerb_src
        where len(nums) >= 4 and len(nums) % 2 = 0
    ),
    kerb_raw as (
        select blockface_id, nums, unnest(range(0, cast(len(nums) / 2 as bigint) - 1)) as piece
        from kerb_lines
    ),
    kerb_xy as (
        select
            blockface_id, piece,
            cast(nums[2 * piece + 2] as double) as lat0, cast(nums[2 * piece + 1] as double) as lon0,
            cast(nums[2 * piece + 4] as double) as lat1, cast(nums[2 * piece + 3] as double) as lon1
        from kerb_raw
        union all
        select blockface_id, 0, centroid_lat, centroid_lon, centroid_lat, centroid_lon
        from kerb_src
        where blockface_id not in (select blockface_id from kerb_lines)
          and centroid_lat is not null and centroid_lon is not null
    ),
    kerb_len as (
        select *,
            sqrt(pow((lat1 - lat0) * 111132.0, 2)
                 + pow((lon1 - lon0) * 111320.0 * cos(radians((lat0 + lat1) / 2)), 2)) as length_m
        from kerb_xy
    )
    select
        blockface_id, piece, lat0, lon0, lat1, lon1, length_m,
        coalesce(sum(length_m) over (partition by blockface_id order by piece
                                     rows between unbounded preceding and 1 preceding), 0.0) as from_m
    from kerb_len
{%- endmacro %}

{% macro locate_on_blockfaces(points, key, blockfaces, radius_m, cell_deg) -%}
    {%- set r = radius_m | float -%}
    {%- set cell = cell_deg | float -%}
    with pieces as (
        {{ kerb_pieces(blockfaces) }}
    ),
    pieces_y as (
        select *,
            unnest(range(
                cast(floor((least(lat0, lat1) - {{ r }} / 111132.0) / {{ cell }}) as bigint),
                cast(floor((greatest(lat0, lat1) + {{ r }} / 111132.0) / {{ cell }}) as bigint) + 1)) as cell_y
        from pieces
    ),
    piece_cells as (
        select *,
            unnest(range(
                cast(floor((least(lon0, lon1) - {{ r }} / (111320.0 * cos(radians(lat0)))) / {{ cell }}) as bigint),
                cast(floor((greatest(lon0, lon1) + {{ r }} / (111320.0 * cos(radians(lat0)))) / {{ cell }}) as bigint) + 1)) as cell_x
        from pieces_y
    ),
    located_points as (
        select {{ key }} as point_key, lat, lon,
            cast(floor(lat / {{ cell }}) as bigint) as cell_y,
            cast(floor(lon / {{ cell }}) as bigint) as cell_x
        from {{ points }}
        where lat is not null and lon is not null
    ),
    projected as (
        select
            p.point_key, c.blockface_id, c.piece, c.from_m, c.length_m,
            (p.lon - c.lon0) * 111320.0 * cos(radians(p.lat)) as px,
            (p.lat - c.lat0) * 111132.0                       as py,
            (c.lon1 - c.lon0) * 111320.0 * cos(radians(p.lat)) as dx,
            (c.lat1 - c.lat0) * 111132.0                       as dy
        from located_points as p
        join piece_cells as c
          on c.cell_y = p.cell_y and c.cell_x = p.cell_x
    ),
    measured as (
        select *,
            case when dx * dx + dy * dy > 0
                 then greatest(0.0, least(1.0, (px * dx + py * dy) / (dx * dx + dy * dy))) else 0.0 end as t
        from projected
    ),
    distances as (
        select
            point_key, blockface_id, piece,
            sqrt(pow(px - t * dx, 2) + pow(py - t * dy, 2)) as distance_m,
            from_m + t * length_m                             as along_m
        from measured
    )
    select
        point_key                                             as {{ key }},
        arg_min(blockface_id, distance_m)                     as blockface_id,
        min(distance_m)                                       as distance_m,
        arg_min(along_m, distance_m)                          as along_m
    from distances
    where distance_m <= {{ r }}
    group by point_key
{%- endmacro %}
