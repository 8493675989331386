{#- The verdict on each plate read: one definition, used by the warehouse
    (models/intermediate/int_plate_reads_evaluated.sql, every read) and by the live check
    (`civic alpr check`, enforcement/rules.py, one read against the serving snapshot).

    Relations (names or dbt relations) and the columns read from them:
      reads          read_id, plate_key, captured_at, lat, lon (other columns pass through)
      payments       payment_id, plate_key, zone_id, started_at, ended_at
      permits        permit_id, plate_key, permit_type, permit_area_id, valid_from, valid_to, status
      exemptions     exemption_id, plate_key, reason, zone_id, valid_from, valid_to
      blockfaces     blockface_id, zone_id, geometry_wkt, centroid_lat, centroid_lon, is_paid,
                     time_limit_minutes, permit_area_id, school_zone_id, is_rush_hour_route,
                     is_snow_route, hydrant_at_m, accessible_from_m, accessible_to_m,
                     no_stopping_from_m, no_stopping_to_m, no_parking_from_m, no_parking_to_m
      unpaid_tickets ticket_id, plate_key, issued_at, settled_at (null: still open), amount_outstanding
      prior_reads    (optional) read_id, plate_key, blockface_id, captured_at: earlier reads
                     already placed on a blockface, for the digital chalk; the reads
                     themselves always count.
    plate_key is whatever identifies a plate in all of them: the normalised plate in the
    warehouse, the pseudonym in the serving snapshot.

    Per read: the blockface (locate_on_blockfaces), the facts each rule needs (payment
    covering the read, permits and exemption valid that day, first read of the plate on the
    blockface that day, tickets unpaid at that time), then every rule (one macro each) and:
      verdict        unknown_location (no blockface within enforcement_match_radius_m),
                     exempt (a valid exemption: municipal fleet, enforcement officer, ...),
                     violation (at least one rule), compliant
      violation_type, bylaw_code, fine_amount, reason: the rule with the highest fine
      violations     every rule that applies (list of structs), reasons (list of text)
      is_scofflaw, unpaid_tickets, unpaid_total; is_hit = violation or scofflaw
    and the inputs used (payment, permits, exemption, chalk, blockface attributes).
    explain=true adds a reason to compliant verdicts too (the live check; the warehouse
    leaves it out: millions of strings nobody reads).

    Cost: every join is on the plate (hash) plus a time range, or on an integer row key; no
    reads x payments or reads x blockfaces cross join. The rules' structs are built only for
    the reads some rule's condition holds for. -#}
{% macro evaluate_plate_reads(reads, payments, permits, exemptions, blockfaces, unpaid_tickets, prior_reads=none, explain=false) -%}
{%- set grace = rule_num('grace_minutes', '5') | float -%}
{%- set min_age = rule_num('scofflaw_min_age_days', '30') | float -%}
{%- set citywide = [] -%}
{%- for t in (var('permit_types_citywide', 'commercial') | string).split(',') if t.strip() -%}
    {%- do citywide.append("'" ~ t.strip() ~ "'") -%}
{%- endfor -%}
{%- set rules = [rule_meter_unpaid, rule_overtime, rule_no_permit, rule_rush_hour, rule_school_zone, rule_snow_route,
                 rule_hydrant, rule_accessible, rule_no_stopping, rule_no_parking] -%}
with ev_reads as (
    select *, row_number() over () as ev_key from {{ reads }}
),

ev_located as (
    {{ locate_on_blockfaces('ev_reads', 'ev_key', blockfaces,
                            rule_num('enforcement_match_radius_m', '15'), rule_num('enforcement_grid_deg', '0.0005')) }}
),

ev_base as (
    select
        r.ev_key,
        r.read_id,
        r.plate_key,
        r.captured_at,
        {{ local_date('r.captured_at') }}                                   as local_date,
        isodow({{ local_ts('r.captured_at') }})                             as local_dow,
        (epoch({{ local_ts('r.captured_at') }})
         - epoch(cast({{ local_date('r.captured_at') }} as timestamp))) / 60.0 as local_minute,
        l.blockface_id,
        l.distance_m,
        l.along_m,
        b.zone_id,
        coalesce(b.is_paid, false)                                          as is_paid,
        b.time_limit_minutes,
        nullif(b.permit_area_id, '')                                        as permit_area_id,
        nullif(b.school_zone_id, '')                                        as school_zone_id,
        coalesce(b.is_rush_hour_route, false)                               as is_rush_hour_route,
        coalesce(b.is_snow_route, false)                                    as is_snow_route,
        b.hydrant_at_m,
        b.accessible_from_m, b.accessible_to_m,
        b.no_stopping_from_m, b.no_stopping_to_m,
        b.no_parking_from_m, b.no_parking_to_m
    from ev_reads as r
    left join ev_located as l using (ev_key)
    left join {{ blockfaces }} as b on b.blockface_id = l.blockface_id
),

ev_payments as (
    -- range join on plate + time: only the plate's payments in the zone that started in the
    -- 25 hours before the read (no payment lasts longer) up to grace minutes after it
    select
        r.ev_key,
        arg_max(p.payment_id, p.ended_at) filter (where p.ended_at + to_minutes({{ grace | int }}) > r.captured_at) as payment_id,
        max(p.ended_at) filter (where p.ended_at + to_minutes({{ grace | int }}) > r.captured_at)               as paid_until,
        max(p.ended_at) filter (where p.ended_at <= r.captured_at)                                             as last_payment_ended_at
    from ev_base as r
    join {{ payments }} as p
      on p.plate_key = r.plate_key
     and p.zone_id = r.zone_id
     and p.started_at <= r.captured_at + to_minutes({{ grace | int }})
     and p.started_at >= r.captured_at - to_hours(25)
    where r.is_paid
    group by r.ev_key
),

ev_permits as (
    select
        r.ev_key,
        min(p.permit_id) filter (where (p.permit_area_id = r.permit_area_id and p.permit_type not in ('accessible'))
                                    {%- if citywide %} or p.permit_type in ({{ citywide | join(', ') }}){% endif %}) as area_permit_id,
        min(p.permit_id) filter (where p.permit_type = 'accessible')                                as accessible_permit_id
    from ev_base as r
    join {{ permits }} as p
      on p.plate_key = r.plate_key
     and r.local_date between p.valid_from and p.valid_to
    where p.status = 'approved'
      and (r.permit_area_id is not null or r.accessible_from_m is not null)
    group by r.ev_key
),

ev_exemptions as (
    select
        r.ev_key,
        min(e.exemption_id)                                  as exemption_id,
        arg_min(e.reason, e.exemption_id)                    as exemption_reason
    from ev_base as r
    join {{ exemptions }} as e
      on e.plate_key = r.plate_key
    where {{ rule_exemption_applies('r', 'e') }}
    group by r.ev_key
),

ev_chalked as (
    -- the reads a time limit applies to (free time-limited blockfaces, permit areas with a limit)
    select ev_key, read_id, plate_key, blockface_id, captured_at, local_date
    from ev_base
    where time_limit_minutes > 0 and not is_paid
),

ev_chalk_pool as (
    select read_id, plate_key, blockface_id, captured_at from ev_chalked
    {%- if prior_reads is not none %}
    union all
    select p.read_id, p.plate_key, p.blockface_id, p.captured_at
    from {{ prior_reads }} as p
    semi join ev_chalked as c on c.plate_key = p.plate_key and c.blockface_id = p.blockface_id
    {%- endif %}
),

ev_chalk as (
    -- digital chalk: the plate's first read on this blockface today, up to this read
    select
        r.ev_key,
        arg_min(c.read_id, c.captured_at)                    as first_read_id,
        min(c.captured_at)                                   as first_read_at
    from ev_chalked as r
    join ev_chalk_pool as c
      on c.plate_key = r.plate_key
     and c.blockface_id = r.blockface_id
     and c.captured_at <= r.captured_at
     and c.captured_at >= timezone({{ city_tz() }}, cast(r.local_date as timestamp))
    group by r.ev_key
),

ev_ticket_plates as (
    -- only plates that could reach the scofflaw threshold at all
    select plate_key
    from {{ unpaid_tickets }}
    group by plate_key
    having count(*) >= {{ rule_num('scofflaw_min_tickets', '3') }}
       and sum(amount_outstanding) >= {{ rule_num('scofflaw_min_total', '150') }}
),

ev_tickets as (
    select
        r.ev_key,
        count(*)                                             as unpaid_tickets,
        sum(t.amount_outstanding)                            as unpaid_total
    from ev_base as r
    semi join ev_ticket_plates as tp on tp.plate_key = r.plate_key
    join {{ unpaid_tickets }} as t
      on t.plate_key = r.plate_key
     and t.issued_at <= r.captured_at - to_days({{ min_age | int }})
     and (t.settled_at is null or t.settled_at > r.captured_at)
    group by r.ev_key
),

ev_facts as (
    select
        b.*,
        p.payment_id, p.paid_until, p.last_payment_ended_at,
        pm.area_permit_id, pm.accessible_permit_id,
        e.exemption_id, e.exemption_reason,
        c.first_read_id, c.first_read_at,
        coalesce(t.unpaid_tickets, 0)                        as unpaid_tickets,
        coalesce(t.unpaid_total, 0.0)                        as unpaid_total
    from ev_base as b
    left join ev_payments as p using (ev_key)
    left join ev_permits as pm using (ev_key)
    left join ev_exemptions as e using (ev_key)
    left join ev_chalk as c using (ev_key)
    left join ev_tickets as t using (ev_key)
),

ev_rules as (
    -- one struct per rule that applies, highest fine first (built only where some rule applies)
    select
        ev_key,
        list_sort(list_filter([
            {%- for rule in rules %}
            {{ rule() }}{{ ',' if not loop.last }}
            {%- endfor %}
        ], lambda v: v is not null), 'DESC')                 as all_violations
    from ev_facts
    where blockface_id is not null
      and exemption_id is null
      and ({% for rule in rules %}{{ rule('condition') }}{{ ' or ' if not loop.last }}{% endfor %})
),

ev_verdicts as (
    select
        f.*,
        case
            when f.blockface_id is null then 'unknown_location'
            when f.exemption_id is not null then 'exempt'
            when r.all_violations is not null then 'violation'
            else 'compliant'
        end                                                  as verdict,
        r.all_violations                                     as violations,
        {{ rule_scofflaw_condition('f.') }}                  as is_scofflaw
    from ev_facts as f
    left join ev_rules as r using (ev_key)
)

select
    r.* exclude (ev_key),
    v.verdict,
    v.violations[1].violation_type                           as violation_type,
    v.violations[1].bylaw_code                               as bylaw_code,
    v.violations[1].fine                                     as fine_amount,
    v.violations[1].reason                                   as reason,
    case
        when v.violations is not null or v.verdict <> 'compliant' or v.is_scofflaw {%- if explain %} or true{% endif %} then
        list_concat(
            coalesce(list_transform(v.violations, lambda x: x.reason), []),
            case v.verdict
                when 'unknown_location' then ['no blockface within {{ rule_text_num(rule_num("enforcement_match_radius_m", "15")) }} m of the read']
                when 'exempt' then ['exempt: ' || coalesce(v.exemption_reason, '?') || ' (' || v.exemption_id || ')']
                {%- if explain %}
                when 'compliant' then ['no rule applies on ' || v.blockface_id
                                       || coalesce(' (payment ' || v.payment_id || ' until ' || {{ rule_hhmm('v.paid_until') }} || ')', '')
                                       || coalesce(' (permit ' || v.area_permit_id || ')', '')]
                {%- endif %}
                else cast([] as varchar[])
            end,
            case when v.is_scofflaw then [{{ rule_scofflaw_reason() }}] else cast([] as varchar[]) end)
        else cast([] as varchar[])
    end                                                      as reasons,
    coalesce(v.violations, [])                               as violations,
    v.is_scofflaw,
    v.verdict = 'violation' or v.is_scofflaw                 as is_hit,
    v.blockface_id,
    v.zone_id,
    v.distance_m,
    v.along_m,
    v.local_date,
    v.is_paid,
    v.time_limit_minutes,
    v.permit_area_id,
    v.school_zone_id,
    v.payment_id,
    v.paid_until,
    v.last_payment_ended_at,
    v.area_permit_id,
    v.accessible_permit_id,
    v.exemption_id,
    v.exemption_reason,
    v.first_read_id,
    v.first_read_at,
    v.unpaid_tickets,
    v.unpaid_total
from ev_reads as r
join ev_verdicts as v using (ev_key)
{%- endmacro %}
