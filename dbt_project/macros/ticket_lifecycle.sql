{#- Ticket lifecycle helpers (models int_ticket_events_unioned, fct_ticket_status_history,
    fct_ticket_lifecycle, fct_ticket_lifecycle_daily). -#}

{#- The day the unpaid-ticket schedule is evaluated on: var('ticket_lifecycle_as_of') when
    set (YYYY-MM-DD), else the data's latest day (the last day of int_days_spined) -- never
    the wall clock, so a rebuild of the same data gives the same answer. -#}
{% macro ticket_lifecycle_as_of_date() -%}
    {%- set v = var('ticket_lifecycle_as_of', '') -%}
    coalesce(
        try_cast(nullif('{{ v | string | trim }}', '') as date),
        (select max(day) from {{ ref('int_days_spined') }})
    )
{%- endmacro %}


{#- Every status a ticket can be in, in lifecycle order (fct_ticket_lifecycle_daily lists
    each one on every day, zeros included). Keep in step with _ticket_lifecycle.yml. -#}
{% macro ticket_statuses() -%}
    {{ return(['issued', 'partially_paid', 'under_review', 'awaiting_hearing', 'dispute_upheld',
               'dispute_reduced', 'reminder_sent', 'demand_sent', 'plate_denied', 'paid',
               'cancelled', 'written_off']) }}
{%- endmacro %}


{#- The state of every ticket at the end of a local day: a range lookup on
    fct_ticket_status_history. `day` is a SQL expression (a date literal, a column of an
    outer query, ...). Rows that began and ended on the same day have an empty range and
    never match, so there is exactly one row per ticket issued on or before `day`.

        select status, count(*), sum(amount_outstanding)
        from {{ ticket_state_on("date '2026-10-15'") }}
        group by status

    Outside dbt (e.g. on the serving snapshot) the same lookup is:

        select * from marts.fct_ticket_status_history
        where valid_from_date <= DATE '2026-10-15'
          and (valid_to_date is null or valid_to_date > DATE '2026-10-15')
-#}
{% macro ticket_state_on(day) -%}
    (
        select *
        from {{ ref('fct_ticket_status_history') }}
        where valid_from_date <= cast({{ day }} as date)
          and (valid_to_date is null or valid_to_date > cast({{ day }} as date))
    )
{%- endmacro %}
