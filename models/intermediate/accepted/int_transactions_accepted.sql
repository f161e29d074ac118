{#- The accepted transactions, with the date a snapshot compares (a snapshot at T holds those
    dated <= T). -#}

with

transactions as (
    select * from {{ ref('int_transactions_validated') }}
),

final as (
    select
        transaction_id,
        customer_id,
        transaction_ts,
        cast(transaction_ts as date) as transaction_date,
        amount,
        transaction_type
    from transactions
    where rejection_reason is null
)

select * from final
