{#- Staging dedup rule (docs/CONVENTIONS.md): a record may be delivered more than once;
    keep one row per natural key: the latest _delivered_on, then _batch_id, then _row_number. -#}
{% macro latest_delivery_first() -%}
    _delivered_on desc nulls last, _batch_id desc nulls last, _row_number desc nulls last
{%- endmacro %}

{% macro dedup_latest(relation, key_columns) -%}
    select *
    from {{ relation }}
    qualify row_number() over (
        partition by {% for k in key_columns %}{{ adapter.quote(k) }}{% if not loop.last %}, {% endif %}{% endfor %}
        order by {{ latest_delivery_first() }}
    ) = 1
{%- endmacro %}

{#- The same rule for an incremental staging table (materialized='incremental',
    incremental_strategy='delete+insert', unique_key=key): `typed` is a CTE of the source's
    rows already in the model's shape, restricted on an incremental run to the batches
    landed since the table's newest row (landed_since_last_build). The rows of the table
    with the same keys compete with them, so a late delivery of an older version never
    replaces a newer one: the result is what a full rebuild would hold for those keys. -#}
{% macro landed_since_last_build(landed_at_expr='_landed_at') -%}
    {%- if is_incremental() -%}
    cast({{ landed_at_expr }} as timestamptz) > (
        select coalesce(max(_landed_at), '-infinity'::timestamptz) from {{ this }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{% macro dedup_latest_incremental(typed, key) -%}
    select * from (
        select * from {{ typed }}
        {%- if is_incremental() %}
        union all by name
        select * from {{ this }} where {{ key }} in (select {{ key }} from {{ typed }})
        {%- endif %}
    ) as candidates
    qualify row_number() over (partition by {{ key }} order by {{ latest_delivery_first() }}) = 1
{%- endmacro %}
