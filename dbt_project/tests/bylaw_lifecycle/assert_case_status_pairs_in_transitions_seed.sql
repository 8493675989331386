-- Every consecutive pair of statuses in a case's history is a transition of the seed
-- case_status_transitions (the one definition of the state machine), and every history
-- starts at 'received'.
select h.case_id, h.status_seq, h.previous_status, h.status
from {{ ref('fct_case_status_history') }} as h
left join {{ ref('case_status_transitions') }} as t
  on t.from_status = h.previous_status and t.to_status = h.status
where (h.status_seq = 1 and (h.status <> 'received' or h.previous_status is not null))
   or (h.status_seq > 1 and t.to_status is null)
