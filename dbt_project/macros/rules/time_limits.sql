{#- Overtime by digital chalk: on a free blockface with a posted time limit, in the limit's
    hours, the plate has been on this blockface since its first read today (counted from the
    start of the hours when the first read came earlier) for at least the limit.
    Paid blockfaces' maximum stay is enforced through payment (meter_unpaid), permit areas'
    limits by rule_no_permit. Facts: first_read_id, first_read_at (the chalk). -#}
{% macro rule_overtime(part='violation') -%}
    {%- set since -%}greatest(first_read_at, {{ rule_window_start('time_limit_hours', '08:00-18:00') }}){%- endset -%}
    {%- set cond -%}
        not is_paid and permit_area_id is null and time_limit_minutes > 0
        and {{ rule_on_days('time_limit_days', '1,2,3,4,5,6') }}
        and {{ rule_in_hours('time_limit_hours', '08:00-18:00') }}
        and first_read_at is not null
        and (epoch(captured_at) - epoch({{ since }})) / 60.0 >= time_limit_minutes
    {%- endset -%}
    {%- set reason -%}
        'parked ' || {{ rule_fmt('(epoch(captured_at) - epoch(' ~ since ~ ')) / 60.0') }} || ' min on ' || blockface_id
        || ' since ' || {{ rule_hhmm(since) }} || ' (first read today at ' || {{ rule_hhmm('first_read_at') }}
        || '); posted limit ' || time_limit_minutes || ' min ({{ var("time_limit_hours", "08:00-18:00") }})'
    {%- endset -%}
    {{ rule_violation('overtime', cond, reason, part) }}
{%- endmacro %}
