{{ config(schema='enforcement') }}
-- Serving snapshot, schema enforcement: what the live check (`civic alpr check`) needs to
-- place a read and apply the rules (macros/rules/) without the warehouse. Blockfaces with
-- their regulations and kerb geometry (no personal information).
select
    blockface_id, zone_id, street, side, spaces, is_paid, time_limit_minutes, permit_area_id,
    school_zone_id, is_rush_hour_route, is_snow_route, hydrant_at_m, accessible_from_m,
    accessible_to_m, no_stopping_from_m, no_stopping_to_m, no_parking_from_m, no_parking_to_m,
    geometry_wkt, centroid_lat, centroid_lon
from {{ ref('stg_gis__blockfaces') }}
where blockface_id is not null
