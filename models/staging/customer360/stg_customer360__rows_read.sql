{#
    Distinct raw rows read per source table of the raw contract (exact duplicates count once).
    A fact table's exact duplicates are counted from its base model, which holds every version
    of a repeated key with its raw row count, so the 40M-row activity file is only counted;
    the small dimension tables are counted distinct directly.
#}
{%- set dimension_tables = ['customers', 'account_owners'] -%}
{%- set fact_tables = ['transactions', 'activity_events', 'funnel_events', 'support_tickets'] -%}

with

{% for source_table in dimension_tables -%}
    read_{{ source_table }} as (
        select
            '{{ source_table }}' as source_table,
            count(*) as rows_read
        from (select distinct * from {{ source('customer360', source_table) }}) as distinct_rows
    ),

{% endfor -%}

{% for source_table in fact_tables -%}
    read_{{ source_table }} as (
        select
            '{{ source_table }}' as source_table,
            (select count(*) from {{ source('customer360', source_table) }})
            - (
                select coalesce(sum(version_rows_read - 1), 0)
                from {{ ref('base_customer360__' ~ source_table ~ '_nonunique_keys') }}
            ) as rows_read
    ),

{% endfor -%}

final as (
    {% for source_table in dimension_tables + fact_tables -%}
        select source_table, cast(rows_read as {{ dbt.type_bigint() }}) as rows_read
        from read_{{ source_table }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
)

select * from final
