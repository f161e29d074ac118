{#
    The raw funnel events whose key is not unique (NULL, or read more than once): one row
    per distinct version, with the raw rows that were that version and the versions of its key.
    Keys are settled here, once, so stg_customer360__funnel_events can be a view over the raw file.
    The source is named in each CTE rather than in one import CTE: DuckDB materialises a CTE
    that is read twice, which would copy the whole file.
#}

with

repeated_keys as (
    select funnel_event_id
    from {{ source('customer360', 'funnel_events') }}
    group by funnel_event_id
    having count(*) > 1
),

nonunique_key_rows as (
    select source_rows.*
    from {{ source('customer360', 'funnel_events') }} as source_rows
    inner join repeated_keys
        on source_rows.funnel_event_id = repeated_keys.funnel_event_id
    union all
    select *
    from {{ source('customer360', 'funnel_events') }}
    where funnel_event_id is null
),

versions as (
    select
        funnel_event_id,
        customer_id,
        stage,
        event_ts,
        count(*) as version_rows_read
    from nonunique_key_rows
    group by
        funnel_event_id,
        customer_id,
        stage,
        event_ts
),

final as (
    select
        *,
        count(*) over (partition by funnel_event_id) as key_versions
    from versions
)

select * from final
