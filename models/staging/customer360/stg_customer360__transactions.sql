{#- The raw transactions, one row per distinct version of each transaction_id, with their amounts
    and timestamps parsed and the first failed row check as rejection_reason (NULL when accepted). -#}
{%- set columns = ['transaction_id', 'customer_id', 'transaction_ts', 'amount', 'transaction_type'] -%}
{%- set checks = [
    ('transaction_id is null', 'null_key', 'transaction_id'),
    ('key_versions > 1', 'conflicting_duplicate_key', 'transaction_id'),
    ('customer_id is null', 'missing_value', 'customer_id'),
    ('transaction_ts is null', 'missing_value', 'transaction_ts'),
    ('parsed_transaction_ts is null', 'unparseable_value', 'transaction_ts'),
    ('amount is null', 'missing_value', 'amount'),
    ('amount_number is null and ' ~ c360_is_number_beyond_parse('amount'),
        'value_out_of_range', 'amount'),
    ('amount_number is null', 'unparseable_value', 'amount'),
    ('abs(amount_number) > ' ~ c360_validated_number('transaction_amount_max_abs', 0, 1e15),
        'value_out_of_range', 'amount'),
    ('parsed_amount is null', 'unparseable_value', 'amount'),
    ('transaction_type is null', 'missing_value', 'transaction_type'),
    ('cast(transaction_type as ' ~ dbt.type_string() ~ ') not in '
        ~ c360_sql_list(var('transaction_types')), 'value_out_of_set', 'transaction_type'),
] -%}

with

source as (
    select * from {{ source('customer360', 'transactions') }}
),

nonunique_keys as (
    select * from {{ ref('base_customer360__transactions_nonunique_keys') }}
),

deduplicated as (
    -- a key read once is its row as read; a NULL or repeated key comes from the base model,
    -- one row per distinct version (so exact duplicate rows count once)
    {{ c360_deduplicated_rows('source', 'nonunique_keys', key='transaction_id', columns=columns) }}
),

parsed as (
    select
        *,
        {{ c360_parse_timestamp('transaction_ts') }} as parsed_transaction_ts,
        {{ c360_parse_number('amount') }} as amount_number,
        {{ c360_parse_money('amount') }} as parsed_amount
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
        cast(transaction_id as {{ dbt.type_string() }}) as transaction_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        parsed_transaction_ts as transaction_ts,
        parsed_amount as amount,
        cast(transaction_type as {{ dbt.type_string() }}) as transaction_type,
        rejection_reason,
        rejected_column,
        case
            when rejection_reason is not null
                then {{ c360_row_to_json(columns) }}
        end as raw_row
    from checked
)

select * from final
