{#
    The distinct versions of the rows of `relation`, each with `version_rows_read`, the raw rows
    that are it. Two rows are one version when every column holds the same value: a column in
    `values` (a mapping column -> the SQL expression that parses it, such as c360_parse_number)
    is compared by its parsed value, so '12.5' and '12.50', or '2025-06-30 10:00:00' and
    '2025-06-30T10:00:00', are one value, as they are in a typed Parquet column; text that does
    not parse is compared as written. Each version keeps the least of its written forms, which
    staging parses to the same value.
#}
{% macro c360_distinct_versions(relation, columns, values={}) %}
    select
        {%- for column in columns %}
        {% if column in values %}min({{ column }}){% else %}{{ column }}{% endif %} as {{ column }},
        {%- endfor %}
        count(*) as version_rows_read
    from (
        select
            {%- for column in columns %}
            {{ column }}{{ ',' if values or not loop.last }}
            {%- endfor %}
            {%- for column, value in values.items() %}
            {{ value }} as c360_value_of_{{ column }},
            case when {{ value }} is null then {{ column }} end as c360_unparsed_{{ column }}
            {{- ',' if not loop.last }}
            {%- endfor %}
        from {{ relation }}
    ) as valued_rows
    group by
        {%- for column in columns %}
        {% if column in values -%}
            c360_value_of_{{ column }}, c360_unparsed_{{ column }}
        {%- else -%}
            {{ column }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
{% endmacro %}
