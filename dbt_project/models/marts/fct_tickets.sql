-- Every parking ticket: written on the handhelds and imported from Toronto's legacy open
-- data, in one shape. Plates only as pseudonyms (legacy: of the masked tag).
-- zone_id / blockface_id / officer_id: NULL when the source gave none, '-1' (unknown
-- member) when it gave one the dimension does not know. A handheld ticket with a
-- blockface but no zone takes the blockface's zone.
-- ward: the ward of the ticket's blockface (dim_blockfaces.ward); 'unknown' when the ticket
-- has no known blockface (legacy tickets included), so tickets by ward add up to all tickets.
-- Every field of a handheld ticket is here (ticket number, vehicle make/model/colour,
-- officer and badge, evidence reference, local time of issue) except the plate in clear;
-- legacy tickets fill what their extract has (no number, vehicle, officer or evidence).
with handheld as (
    select * from {{ ref('stg_handheld__tickets') }}
),
zones as (select zone_id from {{ ref('dim_zones') }} where not is_unknown),
blockfaces as (select blockface_id, zone_id, ward from {{ ref('dim_blockfaces') }} where not is_unknown),
officers as (select officer_id, badge_number from {{ ref('dim_officers') }} where not is_unknown),

handheld_shaped as (
    select
        t.ticket_id,
        'handheld'                                  as source_system,
        t.issued_at,
        t.issued_date,
        t.bylaw_code,
        t.violation_type,
        t.fine_amount,
        t.plate_pseudonym,
        t.province,
        case
            when coalesce(t.zone_id, b.zone_id) is null then null
            when z.zone_id is null then '-1'
            else z.zone_id
        end                                         as zone_id,
        case
            when t.blockface_id is null then null
            when b.blockface_id is null then '-1'
            else b.blockface_id
        end                                         as blockface_id,
        case
            when t.officer_id is null then null
            when o.officer_id is null then '-1'
            else o.officer_id
        end                                         as officer_id,
        t.issue_method,
        t.detection_source,
        t.street_address                            as location_text,
        t.lat,
        t.lon,
        t.ticket_id                                 as ticket_number,
        {{ local_ts('t.issued_at') }}               as issued_local_at,
        nullif(trim(t.make), '')                    as vehicle_make,
        nullif(trim(t.model), '')                   as vehicle_model,
        nullif(trim(t.colour), '')                  as vehicle_colour,
        o.badge_number                              as officer_badge_number,
        nullif(trim(t.evidence_ref), '')            as evidence_ref,
        coalesce(b.ward, 'unknown')                 as ward
    from handheld as t
    left join blockfaces as b on b.blockface_id = t.blockface_id
    left join zones as z on z.zone_id = coalesce(t.zone_id, b.zone_id)
    left join officers as o on o.officer_id = t.officer_id
),

legacy_shaped as (
    select
        ticket_id,
        'toronto_legacy'                            as source_system,
        issued_at,
        issued_date,
        infraction_code                             as bylaw_code,
        description                                 as violation_type,
        fine_amount,
        plate_pseudonym,
        province,
        cast(null as varchar)                       as zone_id,
        cast(null as varchar)                       as blockface_id,
        cast(null as varchar)                       as officer_id,
        cast(null as varchar)                       as issue_method,
        cast(null as varchar)                       as detection_source,
        location_text,
        cast(null as double)                        as lat,
        cast(null as double)                        as lon,
        cast(null as varchar)                       as ticket_number,
        {{ local_ts('issued_at') }}                 as issued_local_at,
        cast(null as varchar)                       as vehicle_make,
        cast(null as varchar)                       as vehicle_model,
        cast(null as varchar)                       as vehicle_colour,
        cast(null as varchar)                       as officer_badge_number,
        cast(null as varchar)                       as evidence_ref,
        'unknown'                                   as ward
    from {{ ref('stg_toronto__legacy_tickets') }}
)

select * from handheld_shaped
union all
select * from legacy_shaped
