{#- Plate pseudonyms: the only form of a plate that reaches the marts.

    normalised plate = upper-case with every character other than A-Z / 0-9 removed
    pseudonym        = first 16 hex digits of sha256(salt || normalised plate)

    The salt comes from --vars '{plate_salt: ...}' or else the CIVIC_PLATE_SALT
    environment variable (default 'civic-demo-salt', for the demo only). Anything
    outside dbt that needs to match a pseudonym must use the same recipe. -#}

{% macro plate_salt() -%}
    {%- set s = var("plate_salt", none) -%}
    {%- if s is none or s == "" -%}
        {%- set s = env_var("CIVIC_PLATE_SALT", "civic-demo-salt") -%}
    {%- endif -%}
    {{- return(s) -}}
{%- endmacro %}

{% macro normalize_plate(col) -%}
    nullif(regexp_replace(upper({{ col }}), '[^A-Z0-9]', '', 'g'), '')
{%- endmacro %}

{% macro plate_pseudonym(col) -%}
    case when {{ normalize_plate(col) }} is not null
         then left(sha256('{{ plate_salt() | replace("'", "''") }}' || {{ normalize_plate(col) }}), 16)
    end
{%- endmacro %}


{#- A vehicle for counting distinct ones: plate (spaces and dashes removed) + province, as
    a 64-bit hash (enough to count; never shown). Used by the hourly and per-shift read
    aggregates, which must count the same vehicles. -#}
{% macro vehicle_key(plate_col, province_col) -%}
    hash(replace(replace({{ plate_col }}, ' ', ''), '-', ''), coalesce({{ province_col }}, ''))
{%- endmacro %}
