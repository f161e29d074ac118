{#
    The raw transactions whose key is not unique (NULL, or read more than once): one row
    per distinct version, with the raw rows that were that version and the versions of its key.
    Keys are settled here, once, so stg_customer360__transactions can be a view over the raw file.
    The source is named in each CTE rather than in one import CTE: DuckDB materialises a CTE
    that is read twice, which would copy the whole file.
#}

with

repeated_keys as (
    select transaction_id
    from {{ source('customer360', 'transactions') }}
    group by transaction_id
    having count(*) > 1
),

nonunique_key_rows as (
    select source_rows.*
    from {{ source('customer360', 'transactions') }} as source_rows
    inner join repeated_keys
        on source_rows.transaction_id = repeated_keys.transaction_id
    union all
    select *
    from {{ source('customer360', 'transactions') }}
    where transaction_id is null
),

versions as (
    select
        transaction_id,
        customer_id,
        transaction_ts,
        amount,
        transaction_type,
        count(*) as version_rows_read
    from nonunique_key_rows
    group by
        transaction_id,
        customer_id,
        transaction_ts,
        amount,
        transaction_type
),

final as (
    select
        *,
        count(*) over (partition by transaction_id) as key_versions
    from versions
)

select * from final
