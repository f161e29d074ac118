{#
    Per group, the model's columns equal aggregates of another model: `measures` maps a column
    of the model (one row per `key`) to an aggregate over `compare_model` grouped by
    `compare_key` (an expression). Returns the groups where any differs, or that only one side
    has (full outer join), so a lost or invented group fails too; `where_clause` limits the model's
    rows compared. Exact: money sums to the cent.
#}
{% test c360_totals_match(model, key, compare_model, compare_key, measures, where_clause=none) %}
with

ours as (
    select
        {{ key }} as group_key,
        {% for column in measures -%}
            {{ column }} as {{ column }}{{ ',' if not loop.last }}
        {% endfor -%}
    from {{ model }}
    {% if where_clause %}where {{ where_clause }}{% endif %}
),

theirs as (
    select
        {{ compare_key }} as group_key,
        {% for column, aggregate in measures.items() -%}
            {{ aggregate }} as {{ column }}{{ ',' if not loop.last }}
        {% endfor -%}
    from {{ compare_model }}
    group by {{ compare_key }}
)

select
    coalesce(ours.group_key, theirs.group_key) as group_key,
    {% for column in measures -%}
        ours.{{ column }} as {{ column }},
        theirs.{{ column }} as expected_{{ column }}{{ ',' if not loop.last }}
    {% endfor -%}
from ours
full outer join theirs on ours.group_key = theirs.group_key
where
    ours.group_key is null
    or theirs.group_key is null
    {% for column in measures -%}
        or coalesce(ours.{{ column }} != theirs.{{ column }}, true)
    {% endfor %}
{% endtest %}
