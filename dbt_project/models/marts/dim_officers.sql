-- Enforcement officers (the roster holds no personal details beyond a badge number),
-- plus the unknown member '-1' for tickets whose officer is not on the roster.
select
    officer_id,
    badge_number,
    unit,
    home_zone_id,
    specialty,
    is_active,
    false as is_unknown
from {{ ref('stg_staff__officers') }}
where officer_id is not null and officer_id <> '-1'

union all

select '-1', 'unknown', null, null, null, null, true
