{#- Staging dedup rule (docs/CONVENTIONS.md): a record may be delivered more than once;
    keep one row per natural key: the latest _delivered_on, then _batch_id, then _row_number. -#}
{% macro dedup_latest(relation, key_columns) -%}
    select *
    from {{ relation }}
    qualify row_number() over (
        partition by {% for k in key_columns %}{{ adapter.quote(k) }}{% if not loop.last %}, {% endif %}{% endfor %}
        order by _delivered_on desc nulls last, _batch_id desc nulls last, _row_number desc nulls last
    ) = 1
{%- endmacro %}
