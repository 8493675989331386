-- Analyst marts never carry complainant identity (names, phone, e-mail; issue 4, item 8):
-- no column of any table in schema marts is named like one. The case analytics marts are
-- listed so this runs after them; it checks every mart that exists at that point.
-- depends_on: {{ ref('fct_case_lifecycle') }} {{ ref('fct_case_status_history') }}
-- depends_on: {{ ref('fct_bylaw_complaint_trends') }} {{ ref('fct_bylaw_emerging_issues') }}
-- depends_on: {{ ref('fct_bylaw_remediation_works') }} {{ ref('fct_complaints') }}
select table_name, column_name
from information_schema.columns
where table_schema = 'marts'
  and regexp_matches(lower(column_name),
        '(first_name|last_name|full_name|caller|complainant|email|e_mail|phone|owner_name|contact_name)')
