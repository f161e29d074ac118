{#- Lines of CSV raw files that could not be read as rows of their table (set aside by the hook). -#}
with

source as (
    select * from {{ source('customer360', 'csv_rejected_lines') }}
),

final as (
    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        'malformed_csv_line' as rejection_reason,
        coalesce(cast(column_name as {{ dbt.type_string() }}), '(line)') as rejected_column,
        {{ c360_row_to_json(['line_number', 'error_type', 'raw_line', 'error_message']) }}
            as raw_row
    from source
)

select * from final
