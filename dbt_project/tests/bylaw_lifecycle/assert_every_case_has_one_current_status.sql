-- One current status per case of fct_case_lifecycle, equal to its current_status; and a
-- case the case system closed is 'closed'.
with cur as (
    select case_id, count(*) as n, any_value(status) as status
    from {{ ref('fct_case_status_history') }}
    where is_current
    group by case_id
)
select l.case_id, cur.n, cur.status, l.current_status, l.closed_at
from {{ ref('fct_case_lifecycle') }} as l
left join cur using (case_id)
where cur.n is distinct from 1
   or cur.status is distinct from l.current_status
   or (l.closed_at is not null and l.current_status <> 'closed')
