{#- Exempt vehicles: a plate on the exemption register (municipal fleet, enforcement
    officers, contractors, utilities, funerals), valid that day, city-wide or for the
    blockface's zone, is never in violation (its verdict is exempt). evaluate_plate_reads
    joins the register with this condition (aliases: r = the read, e = the exemption). -#}
{% macro rule_exemption_applies(r='r', e='e') -%}
    {{ r }}.local_date between {{ e }}.valid_from and {{ e }}.valid_to
    and (nullif({{ e }}.zone_id, '') is null or {{ e }}.zone_id = {{ r }}.zone_id)
{%- endmacro %}
