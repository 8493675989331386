{#- fct_alpr_hits is incremental: a build replaces the reads that int_plate_reads_evaluated
    evaluated (again) since the table's last build. -#}

{#- The newest evaluation the table holds (-infinity for a table from before the column). -#}
{% macro hits_evaluated_until() -%}
    {%- set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if '_inputs_landed_at' in existing -%}
    (select coalesce(max(_inputs_landed_at), '-infinity'::timestamptz) from {{ this }})
    {%- else -%}
    '-infinity'::timestamptz
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: delete the hits among the reads evaluated again (their verdict may have
    changed, e.g. a late payment); the build then inserts those that are still hits. -#}
{% macro drop_reevaluated_hits() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} where read_id in (
        select read_id from {{ ref('int_plate_reads_evaluated') }}
        where _inputs_landed_at > {{ hits_evaluated_until() }})
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}
