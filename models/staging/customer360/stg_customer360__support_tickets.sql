{#- The raw support tickets, one row per distinct version of each ticket_id, with their timestamps
    and CSAT scores parsed and the first failed row check as rejection_reason (NULL when accepted). -#}
{%- set columns = ['ticket_id', 'customer_id', 'opened_ts', 'resolved_ts', 'priority', 'csat_score'] -%}
{%- set checks = [
    ('ticket_id is null', 'null_key', 'ticket_id'),
    ('key_versions > 1', 'conflicting_duplicate_key', 'ticket_id'),
    ('customer_id is null', 'missing_value', 'customer_id'),
    ('opened_ts is null', 'missing_value', 'opened_ts'),
    ('parsed_opened_ts is null', 'unparseable_value', 'opened_ts'),
    ('resolved_ts is not null and parsed_resolved_ts is null', 'unparseable_value', 'resolved_ts'),
    ('priority is null', 'missing_value', 'priority'),
    ('cast(priority as ' ~ dbt.type_string() ~ ') not in ' ~ c360_sql_list(var('ticket_priorities')),
        'value_out_of_set', 'priority'),
    ('csat_score_number is null and ' ~ c360_is_number_beyond_parse('csat_score'),
        'value_out_of_range', 'csat_score'),
    ('csat_score is not null and csat_score_number is null', 'unparseable_value', 'csat_score'),
    ('csat_score_number not between 1 and 5', 'value_out_of_range', 'csat_score'),
    ('csat_score is not null and parsed_csat_score is null', 'unparseable_value', 'csat_score'),
] -%}

with

source as (
    select * from {{ source('customer360', 'support_tickets') }}
),

nonunique_keys as (
    select * from {{ ref('base_customer360__support_tickets_nonunique_keys') }}
),

deduplicated as (
    -- a key read once is its row as read; a NULL or repeated key comes from the base model,
    -- one row per distinct version (so exact duplicate rows count once)
    {{ c360_deduplicated_rows('source', 'nonunique_keys', key='ticket_id', columns=columns) }}
),

parsed as (
    select
        *,
        {{ c360_parse_timestamp('opened_ts') }} as parsed_opened_ts,
        {{ c360_parse_timestamp('resolved_ts') }} as parsed_resolved_ts,
        {{ c360_parse_number('csat_score') }} as csat_score_number,
        {{ c360_parse_integer('csat_score') }} as parsed_csat_score
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
        cast(ticket_id as {{ dbt.type_string() }}) as ticket_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        parsed_opened_ts as opened_ts,
        parsed_resolved_ts as resolved_ts,
        cast(priority as {{ dbt.type_string() }}) as priority,
        parsed_csat_score as csat_score,
        rejection_reason,
        rejected_column,
        case
            when rejection_reason is not null
                then {{ c360_row_to_json(columns) }}
        end as raw_row
    from checked
)

select * from final
