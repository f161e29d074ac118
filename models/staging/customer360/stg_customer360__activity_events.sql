{#- The raw activity events, one row per distinct version of each event_id, with their timestamps
    parsed and the first failed row check as rejection_reason (NULL when accepted). -#}
{%- set columns = ['event_id', 'customer_id', 'event_ts', 'event_type', 'channel'] -%}
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
    {{ c360_deduplicated_rows('source', 'nonunique_keys', key='event_id', columns=columns) }}
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
                then {{ c360_row_to_json(columns) }}
        end as raw_row
    from checked
)

select * from final
