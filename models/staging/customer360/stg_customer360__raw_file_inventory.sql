with

source as (
    select * from {{ source('customer360', 'raw_file_inventory') }}
),

final as (
    select
        source_table,
        file_path,
        file_format,
        is_present
    from source
)

select * from final
