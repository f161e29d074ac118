{#- Staged transactions with the checks that need other models: a known customer, not after as_of_date. -#}
{%- set checks = [
    ('accepted_customers.customer_id is null', 'unknown_customer', 'customer_id'),
    ('cast(transaction_ts as date) > as_of_date', 'after_as_of_date', 'transaction_ts'),
] -%}

with

transactions as (
    select * from {{ ref('stg_customer360__transactions') }}
),

accepted_customers as (
    select customer_id from {{ ref('int_customers_validated') }}
    where rejection_reason is null
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        transactions.transaction_id,
        transactions.customer_id,
        transactions.transaction_ts,
        transactions.amount,
        transactions.transaction_type,
        {{ c360_recheck(checks, ['transactions.transaction_id', 'transactions.customer_id',
            'transaction_ts', 'amount', 'transaction_type']) }}
    from transactions
    cross join as_of
    left join accepted_customers
        on transactions.customer_id = accepted_customers.customer_id
)

select * from final
