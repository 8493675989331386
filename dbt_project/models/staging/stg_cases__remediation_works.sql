-- Remediation works (contractor work orders at the owner's cost, Municipal Act s.446) and
-- their cost recovery: a current-state extract, so the latest delivery of a work wins.
with src as (
    {{ dedup_latest(source('raw', 'remediation_works'), ['work_id']) }}
)
select
    cast(work_id as varchar)                    as work_id,
    cast(case_id as varchar)                    as case_id,
    cast(nullif(trim(roll_number), '') as varchar) as roll_number,
    contractor,
    cast(ordered_at as timestamptz)             as ordered_at,
    {{ local_date('ordered_at') }}              as ordered_date,
    cast(completed_at as timestamptz)           as completed_at,
    {{ local_date('completed_at') }}            as completed_date,
    cast(cost as double)                        as cost,
    cast(invoiced_at as timestamptz)            as invoiced_at,
    {{ local_date('invoiced_at') }}             as invoiced_date,
    cast(added_to_tax_roll_on as date)          as added_to_tax_roll_on,
    cast(recovered_amount as double)            as recovered_amount,
    cast(recovered_at as timestamptz)           as recovered_at,
    {{ local_date('recovered_at') }}            as recovered_date,
    _batch_id,
    _delivered_on
from src
