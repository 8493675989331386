{#- Scofflaw: the plate has at least scofflaw_min_tickets tickets unpaid (neither paid in full
    nor cancelled at the read's time) for at least scofflaw_min_age_days, totalling at least
    scofflaw_min_total dollars outstanding. Not a parking violation: it makes a read a hit
    whatever its verdict. Facts: unpaid_tickets, unpaid_total. -#}
{% macro rule_scofflaw_condition(prefix='') -%}
    coalesce({{ prefix }}unpaid_tickets, 0) >= {{ rule_num('scofflaw_min_tickets', '3') }}
    and coalesce({{ prefix }}unpaid_total, 0) >= {{ rule_num('scofflaw_min_total', '150') }}
{%- endmacro %}

{% macro rule_scofflaw_reason() -%}
    'scofflaw: ' || unpaid_tickets || ' tickets unpaid for over {{ rule_text_num(rule_num("scofflaw_min_age_days", "30")) }} days, $'
    || printf('%.2f', unpaid_total) || ' outstanding (threshold {{ rule_text_num(rule_num("scofflaw_min_tickets", "3")) }} tickets and ${{ rule_text_num(rule_num("scofflaw_min_total", "150")) }})'
{%- endmacro %}
