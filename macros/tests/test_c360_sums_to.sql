{#
    Within each group (`group_by`, NULL forming its own group), the column sums to `total`
    within `tolerance`, for the groups that satisfy `having` (e.g. a positive portfolio total).
#}
{% test c360_sums_to(model, column_name, group_by, total, tolerance=1e-6, having=none) %}
select
    {{ group_by }},
    sum({{ column_name }}) as column_sum
from {{ model }}
group by {{ group_by }}
having abs(sum({{ column_name }}) - {{ total }}) > {{ tolerance }}
    {% if having %}and ({{ having }}){% endif %}
{% endtest %}
