{#
    The rows of a raw relation whose key is not unique (NULL, or read more than once): one row
    per distinct version (c360_distinct_versions: the columns in `values` compared by their
    parsed value), with `version_rows_read` (raw rows that are it) and `key_versions`
    (distinct versions of its key). Keys read once are left out, so the result
    is small, and a staging model can take the raw rows of every other key as they are.

    The relation is read twice: once to count each key's rows (the NULL key is one group, so
    its rows come out with the repeated keys), once to take the rows of the keys found. It is
    named in each CTE rather than in one import CTE: DuckDB materialises a CTE that is read
    twice, which would copy the whole file.
#}
{% macro c360_nonunique_key_versions(relation, key, columns, values={}) %}
with

nonunique_keys as (
    select {{ key }}
    from {{ relation }}
    group by {{ key }}
    having count(*) > 1 or {{ key }} is null
),

nonunique_key_rows as (
    select source_rows.*
    from {{ relation }} as source_rows
    inner join nonunique_keys
        on source_rows.{{ key }} is not distinct from nonunique_keys.{{ key }}
),

versions as (
    {{ c360_distinct_versions('nonunique_key_rows', columns, values) }}
),

final as (
    select
        *,
        count(*) over (partition by {{ key }}) as key_versions
    from versions
)

select * from final
{% endmacro %}
