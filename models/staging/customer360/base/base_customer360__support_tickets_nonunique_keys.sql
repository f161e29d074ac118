{#
    The raw support tickets whose key is not unique (NULL, or read more than once): one row
    per distinct version, with the raw rows that were that version and the versions of its key.
    Keys are settled here, once, so stg_customer360__support_tickets can be a view over the raw file.
    The source is named in each CTE rather than in one import CTE: DuckDB materialises a CTE
    that is read twice, which would copy the whole file.
#}

with

repeated_keys as (
    select ticket_id
    from {{ source('customer360', 'support_tickets') }}
    group by ticket_id
    having count(*) > 1
),

nonunique_key_rows as (
    select source_rows.*
    from {{ source('customer360', 'support_tickets') }} as source_rows
    inner join repeated_keys
        on source_rows.ticket_id = repeated_keys.ticket_id
    union all
    select *
    from {{ source('customer360', 'support_tickets') }}
    where ticket_id is null
),

versions as (
    select
        ticket_id,
        customer_id,
        opened_ts,
        resolved_ts,
        priority,
        csat_score,
        count(*) as version_rows_read
    from nonunique_key_rows
    group by
        ticket_id,
        customer_id,
        opened_ts,
        resolved_ts,
        priority,
        csat_score
),

final as (
    select
        *,
        count(*) over (partition by ticket_id) as key_versions
    from versions
)

select * from final
