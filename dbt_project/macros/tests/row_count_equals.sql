{% test row_count_equals(model, n) %}
select count(*) as rows_found
from {{ model }}
having count(*) <> {{ n }}
{% endtest %}
