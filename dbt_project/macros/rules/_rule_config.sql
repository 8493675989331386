{#- Helpers the violation rules share: configuration (dbt vars under "enforcement rules" in
    dbt_project.yml) turned into SQL.

    These macros only emit SQL text; they call nothing dbt-specific but var(), so the live
    check (enforcement/rules.py) renders them with plain jinja2 and the same var values.
    Every rule's expressions run over one row per read with the columns that
    evaluate_plate_reads (evaluate.sql) prepares: local_date, local_dow (ISO weekday),
    local_minute (minutes after local midnight, fractional), blockface attributes, and the
    facts joined for the read (payments, permits, chalk, exemption, unpaid tickets). -#}

{% macro rule_num(name, default) -%}
    {{- (var(name, default) | string | trim or default) | float -}}
{%- endmacro %}

{#- "07:00-09:00,16:00-18:00" -> SQL true while the local time is inside one of the windows. -#}
{% macro rule_in_hours(hours_var, default, minute_col='local_minute') -%}
    {%- set text = var(hours_var, default) | string -%}
    {%- set parts = [] -%}
    {%- for w in text.split(',') if w.strip() -%}
        {%- set ab = w.strip().split('-') -%}
        {%- set a = ab[0].split(':') -%}
        {%- set b = ab[1].split(':') -%}
        {%- do parts.append('(' ~ minute_col ~ ' >= ' ~ (a[0] | int * 60 + a[1] | int) ~ ' and ' ~ minute_col ~ ' < ' ~ (b[0] | int * 60 + b[1] | int) ~ ')') -%}
    {%- endfor -%}
    {%- if parts -%}({{ parts | join(' or ') }}){%- else -%}false{%- endif -%}
{%- endmacro %}

{#- TIMESTAMPTZ at which the window holding the read started today (null outside every window). -#}
{% macro rule_window_start(hours_var, default, minute_col='local_minute') -%}
    {%- set text = var(hours_var, default) | string -%}
    case
    {%- for w in text.split(',') if w.strip() -%}
        {%- set ab = w.strip().split('-') -%}
        {%- set a = ab[0].split(':') -%}
        {%- set b = ab[1].split(':') -%}
        {%- set am = a[0] | int * 60 + a[1] | int -%}
        {%- set bm = b[0] | int * 60 + b[1] | int %}
        when {{ minute_col }} >= {{ am }} and {{ minute_col }} < {{ bm }}
        then timezone({{ city_tz() }}, local_date + to_minutes({{ am }}))
    {%- endfor %}
    end
{%- endmacro %}

{#- "1,2,3,4,5" -> SQL true on those ISO weekdays. -#}
{% macro rule_on_days(days_var, default, dow_col='local_dow') -%}
    {%- set days = [] -%}
    {%- for d in (var(days_var, default) | string).split(',') if d.strip() -%}
        {%- do days.append(d.strip() | int) -%}
    {%- endfor -%}
    {%- if days -%}{{ dow_col }} in ({{ days | join(', ') }}){%- else -%}false{%- endif -%}
{%- endmacro %}

{#- "2026-01-15,2026-02-03" -> SQL true on those local dates. -#}
{% macro rule_on_dates(dates_var, date_col='local_date') -%}
    {%- set dates = [] -%}
    {%- for d in (var(dates_var, '') | string).split(',') if d.strip() -%}
        {%- do dates.append("date '" ~ d.strip() ~ "'") -%}
    {%- endfor -%}
    {%- if dates -%}{{ date_col }} in ({{ dates | join(', ') }}){%- else -%}false{%- endif -%}
{%- endmacro %}

{#- School day: a school weekday, outside the breaks ("MM-DD..MM-DD", may wrap the new year)
    and not a closed date. -#}
{% macro rule_school_day(date_col='local_date', dow_col='local_dow') -%}
    {%- set breaks = [] -%}
    {%- for b in (var('school_breaks', '') | string).split(',') if b.strip() -%}
        {%- set ab = b.strip().split('..') -%}
        {%- set a = ab[0].strip() -%}
        {%- set z = ab[1].strip() -%}
        {%- if a <= z -%}
            {%- do breaks.append("strftime(" ~ date_col ~ ", '%m-%d') between '" ~ a ~ "' and '" ~ z ~ "'") -%}
        {%- else -%}
            {%- do breaks.append("(strftime(" ~ date_col ~ ", '%m-%d') >= '" ~ a ~ "' or strftime(" ~ date_col ~ ", '%m-%d') <= '" ~ z ~ "')") -%}
        {%- endif -%}
    {%- endfor -%}
    ({{ rule_on_days('school_days', '1,2,3,4,5', dow_col) }}
     {%- for b in breaks %} and not {{ b }}{% endfor %}
     and not {{ rule_on_dates('school_closed_dates', date_col) }})
{%- endmacro %}

{#- A violation found by a rule: a struct the evaluation sorts on (rank: highest fine first,
    then the order of violation_schedule), with the code, fine and a reason for people; or,
    with part='condition', only the rule's condition (a cheap filter before the structs). -#}
{% macro rule_violation(violation_type, condition, reason_sql, part='violation') -%}
    {%- if part == 'condition' -%}
    ({{ condition }})
    {%- else -%}
    {%- set schedule = var('violation_schedule', {}) -%}
    {%- set order = schedule.keys() | list -%}
    {%- set rank = order.index(violation_type) if violation_type in order else 99 -%}
    {%- set fine = rule_num('fine_' ~ violation_type, '0') | float -%}
    case when {{ condition }} then {
        'rank': {{ (fine * 100) | round | int * 100 + (99 - rank) }},
        'violation_type': '{{ violation_type }}',
        'bylaw_code': '{{ schedule.get(violation_type, {}).get('bylaw_code', '') }}',
        'description': '{{ schedule.get(violation_type, {}).get('description', '') | replace("'", "''") }}',
        'fine': {{ fine }}::double,
        'reason': {{ reason_sql }}
    } end
    {%- endif -%}
{%- endmacro %}

{#- Local clock time "HH:MM" of a TIMESTAMPTZ, for reasons. -#}
{% macro rule_hhmm(ts) -%}
    strftime(timezone({{ city_tz() }}, {{ ts }}), '%H:%M')
{%- endmacro %}

{% macro rule_fmt(x, decimals=0) -%}
    printf('%.{{ decimals }}f', {{ x }})
{%- endmacro %}

{#- A number for reasons: 5.0 -> 5, 2.5 -> 2.5. -#}
{% macro rule_text_num(x) -%}
    {%- set f = x | float -%}
    {{- f | int if f == (f | int) else f -}}
{%- endmacro %}

{#- Local time of a TIMESTAMPTZ for reasons: "HH:MM" on the read's day (local_date), else
    "YYYY-MM-DD HH:MM". -#}
{% macro rule_when(ts) -%}
    case when cast(timezone({{ city_tz() }}, {{ ts }}) as date) = local_date
         then strftime(timezone({{ city_tz() }}, {{ ts }}), '%H:%M')
         else strftime(timezone({{ city_tz() }}, {{ ts }}), '%Y-%m-%d %H:%M') end
{%- endmacro %}
