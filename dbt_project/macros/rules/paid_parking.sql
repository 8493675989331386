{#- Paid parking (meter_unpaid): on a paid blockface, in paid hours, no pay-by-plate session
    or meter payment for the plate in the blockface's zone covers the read. A payment covers
    from grace_minutes before it starts (walking to pay) to grace_minutes after it ends.
    Facts: payment_id (a covering payment), last_payment_ended_at (joined by
    evaluate_plate_reads). -#}
{% macro rule_meter_unpaid(part='violation') -%}
    {%- set cond -%}
        is_paid
        and {{ rule_on_days('paid_parking_days', '1,2,3,4,5,6') }}
        and {{ rule_in_hours('paid_parking_hours', '08:00-18:00') }}
        and payment_id is null
    {%- endset -%}
    {%- set reason -%}
        'no active pay-by-plate session or meter payment in zone ' || coalesce(zone_id, '?')
        || ' on ' || blockface_id
        || ' (paid hours {{ var("paid_parking_hours", "08:00-18:00") }}, grace {{ rule_text_num(rule_num("grace_minutes", "5")) }} min); '
        || coalesce('last payment ended ' || {{ rule_when('last_payment_ended_at') }}, 'no payment in the previous 24 h')
    {%- endset -%}
    {{ rule_violation('meter_unpaid', cond, reason, part) }}
{%- endmacro %}
