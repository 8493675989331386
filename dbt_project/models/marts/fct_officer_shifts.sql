{#-
  One row per parking-enforcement shift (stg_staff__shifts with mode 'alpr' or 'foot';
  bylaw shifts are not parking enforcement and are left out): what the shift produced,
  for supervisors. Comparisons (team, same weekday, zone) are in
  fct_officer_shift_comparisons; tickets by type in fct_officer_shift_tickets_by_type.

  plates_scanned      ALPR reads attributed to the shift (its unit / officer, inside the
                      shift; int_plate_reads_aggregated_by_shift). NULL for foot patrol.
  vehicles_observed   parked vehicles read (distinct plate per blockface, summed).
  violations_detected ALPR shift: detections attributed to the shift (see `detections`
                      below); foot shift: the violations its officer found and ticketed
                      (manual tickets).
  detection_rate_pct  100 * violations_detected / plates_scanned.
  route_coverage_pct  100 * spaces on the shift zone's blockfaces passed / the zone's spaces;
                      a blockface is passed when a read of the shift matched it (shared
                      matching rule, macros/blockface_matching.sql). NULL for foot patrol
                      (no GPS track in the sources).
  compliance_rate_pct 100 * (1 - vehicles detected in violation / vehicles observed).
  tickets_*           handheld tickets written in the shift (int_tickets_attributed_to_shifts).
-#}
with shifts as (
    select
        s.shift_id, s.officer_id, s.zone_id, s.mode, s.unit_id,
        s.shift_start, s.shift_end, s.shift_date, s.shift_hours
    from {{ ref('stg_staff__shifts') }} as s
    where s.mode in ('alpr', 'foot')
),

officers as (
    select officer_id, badge_number from {{ ref('dim_officers') }} where not is_unknown
),

blockfaces as (
    select blockface_id, zone_id, spaces from {{ ref('dim_blockfaces') }} where not is_unknown
),

zone_spaces as (
    select zone_id, sum(spaces) as spaces from blockfaces group by zone_id
),

shift_reads as (
    select * from {{ ref('int_plate_reads_aggregated_by_shift') }}
),

read_totals as (
    select
        r.shift_id,
        sum(r.reads)                                                    as reads,
        sum(r.vehicles)                                                 as vehicles,
        count(*) filter (where r.blockface_id <> '-1')                  as blockfaces_passed,
        count(b.blockface_id) filter (where b.zone_id = s.zone_id)      as zone_blockfaces_passed,
        coalesce(sum(b.spaces) filter (where b.zone_id = s.zone_id), 0) as zone_spaces_passed
    from shift_reads as r
    join shifts as s using (shift_id)
    left join blockfaces as b on b.blockface_id = r.blockface_id
    group by r.shift_id
),

shift_tickets as (
    select * from {{ ref('int_tickets_attributed_to_shifts') }} where shift_id is not null
),

ticket_totals as (
    select
        shift_id,
        count(*)                                                as tickets,
        count(*) filter (where detection_source = 'alpr')      as tickets_alpr,
        count(*) filter (where detection_source = 'manual')    as tickets_manual,
        count(*) filter (where issue_method = 'mail')          as tickets_mail,
        sum(fine_amount)                                        as fines
    from shift_tickets
    group by shift_id
),

{#- ---------------------------------------------------------------------------------
    ALPR violation detections: one row per detection, columns (detection_id, detected_at,
    officer_id, plate_pseudonym). Until the hit-detection model lands, ALPR-assisted
    tickets stand in for detections. Switching is a one-line change: replace the `from`
    line of `detections` with
        from {{ ref('fct_alpr_hits') }} where is_hit
    (fct_alpr_hits exposing, or aliasing, these four columns).
    --------------------------------------------------------------------------------- -#}
alpr_tickets_as_detections as (
    select ticket_id as detection_id, issued_at as detected_at, officer_id, plate_pseudonym
    from {{ ref('fct_tickets') }}
    where detection_source = 'alpr' and source_system = 'handheld'
),

detections as (
    select detection_id, detected_at, officer_id, plate_pseudonym
    from alpr_tickets_as_detections
),

alpr_shift_days as (
    -- UTC day buckets of each ALPR shift, for an equi-join (as in the intermediates)
    select
        shift_id, officer_id, shift_start, shift_end,
        unnest(range(
            cast(floor(epoch(shift_start) / 86400) as bigint),
            cast(floor(epoch(shift_end) / 86400) as bigint) + 1
        )) as day_bucket
    from shifts
    where mode = 'alpr' and shift_start is not null and shift_end > shift_start
),

detection_totals as (
    select
        s.shift_id,
        count(*)                                                    as detections,
        count(distinct coalesce(d.plate_pseudonym, d.detection_id)) as detected_vehicles
    from detections as d
    join alpr_shift_days as s
      on s.officer_id = d.officer_id
     and s.day_bucket = cast(floor(epoch(d.detected_at) / 86400) as bigint)
     and d.detected_at >= s.shift_start
     and d.detected_at < s.shift_end
    group by s.shift_id
),

joined as (
    select
        s.*,
        coalesce(o.badge_number, 'unknown')                     as badge_number,
        zs.spaces                                               as zone_spaces,
        r.reads, r.vehicles, r.blockfaces_passed, r.zone_blockfaces_passed, r.zone_spaces_passed,
        t.tickets, t.tickets_alpr, t.tickets_manual, t.tickets_mail, t.fines,
        d.detections, d.detected_vehicles
    from shifts as s
    left join officers as o using (officer_id)
    left join zone_spaces as zs on zs.zone_id = s.zone_id
    left join read_totals as r using (shift_id)
    left join ticket_totals as t using (shift_id)
    left join detection_totals as d using (shift_id)
),

metrics as (
    select
        *,
        case when mode = 'alpr' then coalesce(reads, 0) end                     as plates_scanned,
        case when mode = 'alpr' then coalesce(vehicles, 0) end                  as vehicles_observed,
        case when mode = 'alpr' then coalesce(detections, 0)
             else coalesce(tickets_manual, 0) end                               as violations_detected,
        case when mode = 'alpr' then coalesce(detected_vehicles, 0) end         as vehicles_in_violation
    from joined
)

select
    shift_id,
    shift_date,
    cast(isodow(shift_date) as integer)                                         as weekday,
    dayname(shift_date)                                                         as weekday_name,
    shift_start,
    shift_end,
    cast(shift_hours as double)                                                 as shift_hours,
    officer_id,
    badge_number,
    zone_id,
    mode,
    case mode when 'alpr' then 'ALPR' else 'manual' end                         as enforcement_type,
    unit_id,
    cast(plates_scanned as bigint)                                              as plates_scanned,
    cast(vehicles_observed as bigint)                                           as vehicles_observed,
    cast(violations_detected as bigint)                                         as violations_detected,
    cast(case when plates_scanned > 0
              then 100.0 * violations_detected / plates_scanned end as double)  as detection_rate_pct,
    cast(coalesce(tickets, 0) as bigint)                                        as tickets_issued,
    cast(coalesce(tickets_alpr, 0) as bigint)                                   as tickets_alpr,
    cast(coalesce(tickets_manual, 0) as bigint)                                 as tickets_manual,
    cast(coalesce(tickets_mail, 0) as bigint)                                   as tickets_mail,
    cast(coalesce(fines, 0) as double)                                          as fines_issued,
    cast(case when shift_hours > 0
              then coalesce(tickets, 0) / shift_hours end as double)            as tickets_per_hour,
    cast(case when mode = 'alpr' then coalesce(blockfaces_passed, 0) end as bigint)      as blockfaces_passed,
    cast(case when mode = 'alpr' then coalesce(zone_blockfaces_passed, 0) end as bigint) as zone_blockfaces_passed,
    cast(case when mode = 'alpr' then coalesce(zone_spaces_passed, 0) end as bigint)     as zone_spaces_passed,
    cast(zone_spaces as bigint)                                                 as zone_spaces,
    cast(case when mode = 'alpr' and zone_spaces > 0
              then 100.0 * coalesce(zone_spaces_passed, 0) / zone_spaces end as double)  as route_coverage_pct,
    cast(case when vehicles_observed > 0
              then 100.0 * (1 - least(vehicles_in_violation, vehicles_observed) / vehicles_observed)
         end as double)                                                         as compliance_rate_pct,
    case mode
        when 'alpr' then 'ALPR-assisted tickets (fct_tickets.detection_source = alpr)'
        else 'manual tickets (fct_tickets.detection_source = manual)'
    end                                                                         as detections_source
from metrics
