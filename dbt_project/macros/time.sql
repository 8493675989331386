{#- Local-time helpers. They name the zone explicitly so results do not depend on the
    session's TimeZone (the profile sets America/Toronto anyway). -#}

{% macro city_tz() -%}
    '{{ var("city_tz", "America/Toronto") }}'
{%- endmacro %}

{#- Local calendar day of a TIMESTAMPTZ. -#}
{% macro local_date(ts) -%}
    cast(timezone({{ city_tz() }}, {{ ts }}) as date)
{%- endmacro %}

{#- Local wall-clock TIMESTAMP (no zone) of a TIMESTAMPTZ. -#}
{% macro local_ts(ts) -%}
    timezone({{ city_tz() }}, {{ ts }})
{%- endmacro %}

{#- TIMESTAMPTZ of a local wall-clock TIMESTAMP (e.g. date + time read from a legacy file). -#}
{% macro from_local(naive_ts) -%}
    timezone({{ city_tz() }}, cast({{ naive_ts }} as timestamp))
{%- endmacro %}

{#- Length in (fractional) days / hours between two timestamps. -#}
{% macro days_between(a, b) -%}
    (epoch({{ b }}) - epoch({{ a }})) / 86400.0
{%- endmacro %}
{% macro hours_between(a, b) -%}
    (epoch({{ b }}) - epoch({{ a }})) / 3600.0
{%- endmacro %}
