{%- set checks = [
    ('event_id is null', 'null_key', 'event_id'),
    ('key_versions > 1', 'conflicting_duplicate_key', 'event_id'),
    ('customer_id is null', 'missing_value', 'customer_id'),
    ('event_ts is null', 'missing_value', 'event_ts'),
    ('parsed_event_ts is null', 'unparseable_value', 'event_ts'),
    ('event_type is null', 'missing_value', 'event_type'),
    ('channel is null', 'missing_value', 'channel'),
] -%}

with

source as (
    select * from {{ source('customer360', 'activity_events') }}
),

nonunique_keys as (
    select * from {{ ref('base_customer360__activity_events_nonunique_keys') }}
),

deduplicated as (
    -- a key read once is its row as read; a NULL or repeated key comes from the base model,
    -- one row per distinct version (so exact duplicate rows count once)
    select
        source.event_id,
        source.customer_id,
        source.event_ts,
        source.event_type,
        source.channel,
        1 as key_versions
    from source
    left join nonunique_keys
        on source.event_id = nonunique_keys.event_id
    where source.event_id is not null and nonunique_keys.event_id is null
    union all
    select
        event_id,
        customer_id,
        event_ts,
        event_type,
        channel,
        key_versions
    from nonunique_keys
),

parsed as (
    select
        *,
        {{ c360_parse_timestamp('event_ts') }} as parsed_event_ts
    from deduplicated
),

checked as (
    select
        *,
        {{ c360_first_failed_check(checks) }}
    from parsed
),

final as (
    select
        cast(event_id as {{ dbt.type_string() }}) as event_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        parsed_event_ts as event_ts,
        cast(event_type as {{ dbt.type_string() }}) as event_type,
        cast(channel as {{ dbt.type_string() }}) as channel,
        rejection_reason,
        rejected_column,
        case
            when rejection_reason is not null
                then {{ c360_row_to_json(['event_id', 'customer_id', 'event_ts', 'event_type',
                    'channel']) }}
        end as raw_row
    from checked
)

select * from final
