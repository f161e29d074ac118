{%- set checks = [
    ('funnel_event_id is null', 'null_key', 'funnel_event_id'),
    ('key_versions > 1', 'conflicting_duplicate_key', 'funnel_event_id'),
    ('customer_id is null', 'missing_value', 'customer_id'),
    ('stage is null', 'missing_value', 'stage'),
    ('cast(stage as ' ~ dbt.type_string() ~ ') not in ' ~ c360_sql_list(var('funnel_stages')),
        'value_out_of_set', 'stage'),
    ('event_ts is null', 'missing_value', 'event_ts'),
    ('parsed_event_ts is null', 'unparseable_value', 'event_ts'),
] -%}

with

source as (
    select * from {{ source('customer360', 'funnel_events') }}
),

nonunique_keys as (
    select * from {{ ref('base_customer360__funnel_events_nonunique_keys') }}
),

deduplicated as (
    -- a key read once is its row as read; a NULL or repeated key comes from the base model,
    -- one row per distinct version (so exact duplicate rows count once)
    select
        source.funnel_event_id,
        source.customer_id,
        source.stage,
        source.event_ts,
        1 as key_versions
    from source
    left join nonunique_keys
        on source.funnel_event_id = nonunique_keys.funnel_event_id
    where source.funnel_event_id is not null and nonunique_keys.funnel_event_id is null
    union all
    select
        funnel_event_id,
        customer_id,
        stage,
        event_ts,
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
        cast(funnel_event_id as {{ dbt.type_string() }}) as funnel_event_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(stage as {{ dbt.type_string() }}) as stage,
        parsed_event_ts as event_ts,
        rejection_reason,
        rejected_column,
        case
            when rejection_reason is not null
                then {{ c360_row_to_json(['funnel_event_id', 'customer_id', 'stage',
                    'event_ts']) }}
        end as raw_row
    from checked
)

select * from final
