{#
    The body of a fact staging model's `deduplicated` CTE: every raw row with its key settled.
    A key read once is its row as read (`key_versions` 1); a NULL or repeated key comes from the
    base model (c360_nonunique_key_versions), one row per distinct version, so exact duplicate
    rows count once.

    `source_rows` and `nonunique_keys` name the model's import CTEs of the raw source and of its
    base model; each is read once here, so DuckDB does not materialise the raw source.
#}
{% macro c360_deduplicated_rows(source_rows, nonunique_keys, key, columns) -%}
    select
        {%- for column in columns %}
        {{ source_rows }}.{{ column }},
        {%- endfor %}
        1 as key_versions
    from {{ source_rows }}
    left join {{ nonunique_keys }}
        on {{ source_rows }}.{{ key }} = {{ nonunique_keys }}.{{ key }}
    where {{ source_rows }}.{{ key }} is not null and {{ nonunique_keys }}.{{ key }} is null
    union all
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        key_versions
    from {{ nonunique_keys }}
{%- endmacro %}
