{#- Staged transactions with the checks that need other models: not after an implausible gap in
    the dates (int_as_of_date), not after as_of_date, then a known customer (one whose key was
    rejected as conflicting gets its own reason). The dates come first: a row dated after
    as_of_date is outside the analysis window whoever its customer is, so in a back-dated build
    the later rows of customers who signed up after as_of_date are after_as_of_date (valid data,
    left out of the invalid share the alerts judge), not unknown_customer. -#}
{%- set checks = [
    ('cast(transaction_ts as date) > implausibly_late_after_date', 'implausibly_late',
        'transaction_ts'),
    ('cast(transaction_ts as date) > as_of_date', 'after_as_of_date', 'transaction_ts'),
    ('accepted_customers.customer_id is null and conflicting_customers.customer_id is not null',
        'conflicting_customer_key', 'customer_id'),
    ('accepted_customers.customer_id is null', 'unknown_customer', 'customer_id'),
] -%}

with

transactions as (
    select * from {{ ref('stg_customer360__transactions') }}
),

accepted_customers as (
    select customer_id from {{ ref('int_customers_accepted') }}
),

conflicting_customers as (
    select distinct customer_id from {{ ref('stg_customer360__customers') }}
    where rejection_reason = 'conflicting_duplicate_key'
),

as_of as (
    select
        as_of_date,
        implausibly_late_after_date
    from {{ ref('int_as_of_date') }}
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
    left join conflicting_customers
        on transactions.customer_id = conflicting_customers.customer_id
)

select * from final
