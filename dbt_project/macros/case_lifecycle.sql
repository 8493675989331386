{#- Bylaw case lifecycle helpers (int_case_events_unioned, fct_case_status_history,
    fct_case_lifecycle and the bylaw marts). -#}

{#- The day case analytics are evaluated on: var('case_lifecycle_as_of') when set
    (YYYY-MM-DD, env CIVIC_CASE_LIFECYCLE_AS_OF), else the data's latest day (the last day of
    int_days_spined) -- never the wall clock. Events after it are ignored. -#}
{% macro case_lifecycle_as_of_date() -%}
    {%- set v = var('case_lifecycle_as_of', '') -%}
    coalesce(
        try_cast(nullif('{{ v | string | trim }}', '') as date),
        (select max(day) from {{ ref('int_days_spined') }})
    )
{%- endmacro %}

{#- The end of a local day (= 00:00 local of the next day) as TIMESTAMPTZ. -#}
{% macro local_day_end(day) -%}
    {{ from_local('cast(' ~ day ~ ' as date) + 1') }}
{%- endmacro %}

{#- Every status of a bylaw case, in lifecycle order (docs/ISSUE4_SHARED.md). -#}
{% macro case_statuses() -%}
    {{ return(['received', 'investigated', 'notice_issued', 'order_issued', 'reinspection_due',
               'complied', 'escalated', 'closed']) }}
{%- endmacro %}

{#- Aging bucket of an open case from its age in days. -#}
{% macro case_aging_bucket(age_days) -%}
    case
        when {{ age_days }} is null then null
        when {{ age_days }} < 8 then '0-7 days'
        when {{ age_days }} < 31 then '8-30 days'
        when {{ age_days }} < 91 then '31-90 days'
        when {{ age_days }} < 181 then '91-180 days'
        else 'over 180 days'
    end
{%- endmacro %}
