{#
    The raw activity events whose key is not unique (NULL, or read more than once): one row
    per distinct version, with the raw rows that were that version and the versions of its key.
    Keys are settled here, once, so stg_customer360__activity_events can be a view over the raw file.
    The source is named in each CTE rather than in one import CTE: DuckDB materialises a CTE
    that is read twice, which would copy the whole file.
#}

with

repeated_keys as (
    select event_id
    from {{ source('customer360', 'activity_events') }}
    group by event_id
    having count(*) > 1
),

nonunique_key_rows as (
    select source_rows.*
    from {{ source('customer360', 'activity_events') }} as source_rows
    inner join repeated_keys
        on source_rows.event_id = repeated_keys.event_id
    union all
    select *
    from {{ source('customer360', 'activity_events') }}
    where event_id is null
),

versions as (
    select
        event_id,
        customer_id,
        event_ts,
        event_type,
        channel,
        count(*) as version_rows_read
    from nonunique_key_rows
    group by
        event_id,
        customer_id,
        event_ts,
        event_type,
        channel
),

final as (
    select
        *,
        count(*) over (partition by event_id) as key_versions
    from versions
)

select * from final
