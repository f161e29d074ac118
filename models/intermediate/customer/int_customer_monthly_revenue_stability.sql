{#
    Variability of monthly net revenue over the trailing 365 days, per customer with any
    transaction in them. The window is cut into 12 buckets of equal length
    (bucket = floor(12 * days_before_as_of / 365)); buckets without revenue count as 0.
    coefficient_of_variation = population standard deviation / mean of the 12 buckets, NULL
    when the mean is not positive.
#}

with

transactions as (
    select * from {{ ref('int_transactions_validated') }}
    where rejection_reason is null
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

dated as (
    select
        transactions.customer_id,
        transactions.amount,
        {{ dbt.datediff('cast(transactions.transaction_ts as date)', 'as_of.as_of_date', 'day') }}
            as days_before_as_of
    from transactions
    cross join as_of
),

monthly as (
    select
        customer_id,
        floor(12 * days_before_as_of / 365) as month_index,
        sum(amount) as net_revenue
    from dated
    where days_before_as_of < 365
    group by customer_id, floor(12 * days_before_as_of / 365)
),

moments as (
    select
        customer_id,
        -- exact decimal sums: the result does not depend on the order of parallel additions
        cast(sum(net_revenue) as double) / 12 as mean_monthly_revenue,
        cast(sum(net_revenue * net_revenue) as double) / 12 as mean_square_monthly_revenue
    from monthly
    group by customer_id
),

final as (
    select
        customer_id,
        mean_monthly_revenue,
        case
            when mean_monthly_revenue > 0
                then sqrt(greatest(
                        mean_square_monthly_revenue - mean_monthly_revenue * mean_monthly_revenue, 0
                    )) / mean_monthly_revenue
        end as coefficient_of_variation
    from moments
)

select * from final
