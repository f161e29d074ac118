{#
    Accepted transactions reduced to one row per customer and snapshot date T, using those dated
    <= T: the money columns, the RFM inputs over the trailing `rfm_window_days`, the windows of
    velocity, trend and breadth, and the moments of monthly net revenue for value_stability.
    "Trailing N days" at T holds the dates d with T - N < d <= T.
    Transactions are first summed per customer and day, then each day is joined to the
    snapshots on or after it.
#}
{%- set rfm_window_days = c360_validated_number('rfm_window_days', 1) -%}
{%- set velocity_window_days = c360_validated_number('velocity_window_days', 1) -%}

with

transactions as (
    select
        customer_id,
        transaction_date,
        amount,
        transaction_type
    from {{ ref('int_transactions_accepted') }}
),

customers as (
    select
        customer_id,
        snapshot_date,
        tenure_days
    from {{ ref('int_customer_snapshots') }}
),

snapshot_dates as (
    select snapshot_date from {{ ref('int_snapshot_dates') }}
    where is_computed
),

daily as (
    select
        customer_id,
        transaction_date,
        sum(amount) as net_amount,
        count(*) as transactions,
        sum(case when amount > 0 then 1 else 0 end) as purchases,
        {% for transaction_type in var('transaction_types') -%}
            max(case when transaction_type = '{{ transaction_type }}' then 1 else 0 end)
                as has_{{ transaction_type }},
        {% endfor -%}
        max(case when amount > 0 then 1 else 0 end) as has_purchase
    from transactions
    group by customer_id, transaction_date
),

dated as (
    select
        daily.*,
        snapshot_dates.snapshot_date,
        {{ dbt.datediff('daily.transaction_date', 'snapshot_dates.snapshot_date', 'day') }}
            as days_before_snapshot
    from daily
    inner join snapshot_dates
        on daily.transaction_date <= snapshot_dates.snapshot_date
),

-- monthly buckets of the trailing 365 days: bucket = floor(12 * days_before / 365); -1 is older
bucketed as (
    select
        *,
        case
            when days_before_snapshot < 365 then floor(12 * days_before_snapshot / 365)
            else -1
        end as month_bucket
    from dated
),

per_bucket as (
    select
        customer_id,
        snapshot_date,
        month_bucket,
        sum(net_amount) as net_amount,
        sum(transactions) as transactions,
        min(transaction_date) as first_transaction_date,
        max(transaction_date) as last_transaction_date,
        max(case
            when has_purchase = 1 and days_before_snapshot < {{ rfm_window_days }} then transaction_date
        end) as last_purchase_date_in_rfm_window,
        sum(case when days_before_snapshot < {{ rfm_window_days }} then purchases else 0 end)
            as purchases_in_rfm_window,
        sum(case when days_before_snapshot < {{ rfm_window_days }} then net_amount else 0 end)
            as net_revenue_in_rfm_window,
        sum(case when days_before_snapshot < {{ velocity_window_days }} then net_amount else 0 end)
            as net_revenue_in_velocity_window,
        {% for transaction_type in var('transaction_types') -%}
            max(has_{{ transaction_type }}) as has_{{ transaction_type }},
        {% endfor -%}
        sum(case when days_before_snapshot < 183 then net_amount else 0 end)
            as revenue_recent_half_year
    from bucketed
    group by customer_id, snapshot_date, month_bucket
),

aggregated as (
    select
        customer_id,
        snapshot_date,
        sum(net_amount) as lifetime_revenue,
        sum(case when month_bucket >= 0 then net_amount else 0 end) as revenue_12m,
        sum(transactions) as transaction_count,
        min(first_transaction_date) as first_transaction_date,
        max(last_transaction_date) as last_transaction_date,
        max(last_purchase_date_in_rfm_window) as last_purchase_date_in_rfm_window,
        sum(purchases_in_rfm_window) as purchases_in_rfm_window,
        sum(net_revenue_in_rfm_window) as net_revenue_in_rfm_window,
        sum(net_revenue_in_velocity_window) as net_revenue_in_velocity_window,
        sum(revenue_recent_half_year) as revenue_recent_half_year,
        -- breadth: transaction types used in the last 365 days
        {% for transaction_type in var('transaction_types') -%}
            max(case
                when month_bucket >= 0 then has_{{ transaction_type }}
                else 0
            end){{ ' +' if not loop.last else ' as transaction_types_12m,' }}
        {% endfor -%}
        -- exact decimal sums of the monthly buckets: independent of the order of additions
        sum(case when month_bucket >= 0 then net_amount * net_amount else 0 end)
            as sum_square_monthly_revenue,
        max(month_bucket) as oldest_bucket_with_transactions
    from per_bucket
    group by customer_id, snapshot_date
),

final as (
    select
        aggregated.customer_id,
        aggregated.snapshot_date,
        aggregated.lifetime_revenue,
        aggregated.revenue_12m,
        aggregated.transaction_count,
        aggregated.first_transaction_date,
        aggregated.last_transaction_date,
        aggregated.last_purchase_date_in_rfm_window,
        aggregated.purchases_in_rfm_window,
        aggregated.net_revenue_in_rfm_window,
        aggregated.net_revenue_in_velocity_window,
        aggregated.revenue_recent_half_year,
        aggregated.revenue_12m - aggregated.revenue_recent_half_year as revenue_prior_half_year,
        aggregated.transaction_types_12m,
        -- revenue trend in [-1, 1]: (recent - prior) / (|recent| + |prior|), NULL when both
        -- half-years are 0; read by the financial_trend health component and by lifecycle
        case
            when aggregated.revenue_recent_half_year != 0
                or aggregated.revenue_12m - aggregated.revenue_recent_half_year != 0
                then
                    cast(2 * aggregated.revenue_recent_half_year - aggregated.revenue_12m as double)
                    / cast(
                        abs(aggregated.revenue_recent_half_year)
                        + abs(aggregated.revenue_12m - aggregated.revenue_recent_half_year) as double
                    )
        end as revenue_trend,
        -- value stability: the monthly buckets that belong to the customer's history, i.e.
        -- reach signup_date (bucket k's latest day is ceil(365k / 12) days back), or hold a
        -- transaction; buckets before signup are no zero-revenue months
        greatest(
            least(12, floor(12 * customers.tenure_days / 365) + 1),
            aggregated.oldest_bucket_with_transactions + 1
        ) as months_in_stability_window,
        aggregated.sum_square_monthly_revenue
    from aggregated
    inner join customers
        on aggregated.customer_id = customers.customer_id
            and aggregated.snapshot_date = customers.snapshot_date
)

select * from final
