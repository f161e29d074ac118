{#
    A row-level identity or invariant: returns the rows where `expression` is not true
    (optionally only among rows matching `where_clause`).
#}
{% test c360_expression_is_true(model, expression, where_clause=none) %}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
    {% if where_clause %}and ({{ where_clause }}){% endif %}
{% endtest %}
