{#- Signed restrictions in force at the read's local time. One macro per rule.
    Positions along the kerb (along_m) get position_tolerance_m either side. -#}

{#- Rush-hour no stopping on rush-hour routes, on rush-hour days and hours. -#}
{% macro rule_rush_hour(part='violation') -%}
    {%- set cond -%}
        is_rush_hour_route
        and {{ rule_on_days('rush_hour_days', '1,2,3,4,5') }}
        and {{ rule_in_hours('rush_hour_hours', '07:00-09:00,16:00-18:00') }}
    {%- endset -%}
    {%- set reason -%}
        'rush-hour no stopping on ' || blockface_id || ' ({{ var("rush_hour_hours", "07:00-09:00,16:00-18:00") }}, days {{ var("rush_hour_days", "1,2,3,4,5") }}); read at ' || {{ rule_hhmm('captured_at') }}
    {%- endset -%}
    {{ rule_violation('rush_hour', cond, reason, part) }}
{%- endmacro %}

{#- School-zone no stopping during school hours on school days. -#}
{% macro rule_school_zone(part='violation') -%}
    {%- set cond -%}
        school_zone_id is not null
        and {{ rule_school_day() }}
        and {{ rule_in_hours('school_zone_hours', '08:00-09:00,15:00-16:00') }}
    {%- endset -%}
    {%- set reason -%}
        'school zone ' || school_zone_id || ' no stopping on a school day ({{ var("school_zone_hours", "08:00-09:00,15:00-16:00") }}); read at ' || {{ rule_hhmm('captured_at') }}
    {%- endset -%}
    {{ rule_violation('school_zone', cond, reason, part) }}
{%- endmacro %}

{#- No parking on a snow route on a declared snow day (snow_route_dates). -#}
{% macro rule_snow_route(part='violation') -%}
    {%- set cond -%}
        is_snow_route and {{ rule_on_dates('snow_route_dates') }}
    {%- endset -%}
    {%- set reason -%}
        'snow route ' || blockface_id || ' on the declared snow day ' || strftime(local_date, '%Y-%m-%d')
    {%- endset -%}
    {{ rule_violation('snow_route', cond, reason, part) }}
{%- endmacro %}

{#- Within hydrant_clearance_m of the blockface's hydrant. -#}
{% macro rule_hydrant(part='violation') -%}
    {%- set reach = rule_num('hydrant_clearance_m', '3') | float + rule_num('position_tolerance_m', '3') | float -%}
    {%- set cond -%}
        hydrant_at_m is not null and along_m is not null and abs(along_m - hydrant_at_m) <= {{ reach }}
    {%- endset -%}
    {%- set reason -%}
        'within {{ rule_text_num(rule_num("hydrant_clearance_m", "3")) }} m of the hydrant at ' || {{ rule_fmt('hydrant_at_m') }} || ' m along ' || blockface_id
        || ' (read at ' || {{ rule_fmt('along_m') }} || ' m, tolerance {{ rule_text_num(rule_num("position_tolerance_m", "3")) }} m)'
    {%- endset -%}
    {{ rule_violation('hydrant', cond, reason, part) }}
{%- endmacro %}

{#- In the accessible space without a valid accessible permit. Facts: accessible_permit_id. -#}
{% macro rule_accessible(part='violation') -%}
    {%- set tol = rule_num('position_tolerance_m', '3') | float -%}
    {%- set cond -%}
        accessible_from_m is not null and along_m is not null
        and along_m between accessible_from_m - {{ tol }} and accessible_to_m + {{ tol }}
        and accessible_permit_id is null
    {%- endset -%}
    {%- set reason -%}
        'in the accessible space ' || {{ rule_fmt('accessible_from_m') }} || '-' || {{ rule_fmt('accessible_to_m') }} || ' m along ' || blockface_id
        || ' (read at ' || {{ rule_fmt('along_m') }} || ' m) without a valid accessible permit'
    {%- endset -%}
    {{ rule_violation('accessible', cond, reason, part) }}
{%- endmacro %}

{#- In a signed no-stopping stretch of kerb. -#}
{% macro rule_no_stopping(part='violation') -%}
    {%- set tol = rule_num('position_tolerance_m', '3') | float -%}
    {%- set cond -%}
        no_stopping_from_m is not null and along_m is not null
        and along_m between no_stopping_from_m - {{ tol }} and no_stopping_to_m + {{ tol }}
    {%- endset -%}
    {%- set reason -%}
        'in the signed no-stopping stretch ' || {{ rule_fmt('no_stopping_from_m') }} || '-' || {{ rule_fmt('no_stopping_to_m') }} || ' m along ' || blockface_id
        || ' (read at ' || {{ rule_fmt('along_m') }} || ' m)'
    {%- endset -%}
    {{ rule_violation('no_stopping', cond, reason, part) }}
{%- endmacro %}

{#- In a signed no-parking stretch of kerb. -#}
{% macro rule_no_parking(part='violation') -%}
    {%- set tol = rule_num('position_tolerance_m', '3') | float -%}
    {%- set cond -%}
        no_parking_from_m is not null and along_m is not null
        and along_m between no_parking_from_m - {{ tol }} and no_parking_to_m + {{ tol }}
    {%- endset -%}
    {%- set reason -%}
        'in the signed no-parking stretch ' || {{ rule_fmt('no_parking_from_m') }} || '-' || {{ rule_fmt('no_parking_to_m') }} || ' m along ' || blockface_id
        || ' (read at ' || {{ rule_fmt('along_m') }} || ' m)'
    {%- endset -%}
    {{ rule_violation('no_parking', cond, reason, part) }}
{%- endmacro %}
