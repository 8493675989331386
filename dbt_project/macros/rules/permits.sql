{#- Permit parking (no_permit): on a blockface in a permit area, in permit hours, the plate
    holds no valid permit for the area (residential or event permit of that area, or a
    city-wide permit of a type in permit_types_citywide; approved, valid that day). Where the
    blockface also has a time limit, vehicles without a permit may stay that long (digital
    chalk, from the first read today). Facts: area_permit_id, first_read_at. -#}
{% macro rule_no_permit(part='violation') -%}
    {%- set since -%}greatest(first_read_at, {{ rule_window_start('permit_hours', '00:00-24:00') }}){%- endset -%}
    {%- set cond -%}
        permit_area_id is not null and area_permit_id is null
        and {{ rule_on_days('permit_days', '1,2,3,4,5,6,7') }}
        and {{ rule_in_hours('permit_hours', '00:00-24:00') }}
        and (coalesce(time_limit_minutes, 0) = 0
             or (first_read_at is not null
                 and (epoch(captured_at) - epoch({{ since }})) / 60.0 >= time_limit_minutes))
    {%- endset -%}
    {%- set reason -%}
        'no valid permit for permit area ' || permit_area_id || ' on ' || blockface_id
        || case when coalesce(time_limit_minutes, 0) > 0
                then '; parked ' || {{ rule_fmt('(epoch(captured_at) - epoch(' ~ since ~ ')) / 60.0') }}
                     || ' min since the first read today at ' || {{ rule_hhmm('first_read_at') }}
                     || ' (limit without permit ' || time_limit_minutes || ' min)'
                else '' end
    {%- endset -%}
    {{ rule_violation('no_permit', cond, reason, part) }}
{%- endmacro %}
