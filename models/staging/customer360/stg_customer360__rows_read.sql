{#
    Distinct raw rows read per source table of the raw contract (exact duplicates count once).
    A fact table's exact duplicates are counted from its base model, which holds every version
    of a repeated key with its raw row count, so the 40M-row activity file is only counted;
    the small dimension tables are counted distinct directly, their versions settled as their
    staging settles them (c360_distinct_versions). Lines of a CSV file that could not
    be read as rows (stg_customer360__csv_rejected_lines) were read too, and are added.
#}
{#- each dimension table with its columns (the rows' versions are settled as its staging does) -#}
{%- set dimension_tables = {
    'customers': ['customer_id', 'customer_name', 'industry', 'region', 'country_code',
        'employee_count', 'signup_date', 'account_owner_id'],
    'account_owners': ['account_owner_id', 'owner_name', 'team'],
} -%}
{%- set fact_tables = ['transactions', 'activity_events', 'funnel_events', 'support_tickets'] -%}

with

{% for source_table, columns in dimension_tables.items() -%}
    read_{{ source_table }} as (
        select
            '{{ source_table }}' as source_table,
            count(*) as rows_read
        from (
            {{ c360_distinct_versions(
                source('customer360', source_table), columns, c360_contract_values(source_table)
            ) }}
        ) as distinct_rows
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

malformed_csv_lines as (
    select
        source_table,
        count(*) as lines_read
    from {{ ref('stg_customer360__csv_rejected_lines') }}
    group by source_table
),

rows_read_as_rows as (
    {% for source_table in dimension_tables.keys() | list + fact_tables -%}
        select
            source_table,
            rows_read
        from read_{{ source_table }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

final as (
    select
        rows_read_as_rows.source_table,
        cast(
            rows_read_as_rows.rows_read + coalesce(malformed_csv_lines.lines_read, 0)
            as {{ dbt.type_bigint() }}
        ) as rows_read
    from rows_read_as_rows
    left join malformed_csv_lines
        on rows_read_as_rows.source_table = malformed_csv_lines.source_table
)

select * from final
