{#
    Accepted transactions reduced to one row per customer and snapshot date T, using those dated
    <= T: the money columns (avg_transaction_value = lifetime_revenue / transaction_count to the
    cent, half away from zero), the purchase days the purchase model reads (days with a
    transaction of amount > 0: how many, their value, the first and last, and the first one's
    value), the RFM inputs over the trailing `rfm_window_days`, the windows of
    velocity, trend and breadth, and the moments of monthly net revenue for value_stability.
    "Trailing N days" at T holds the dates d with T - N < d <= T.
    Two passes keep every join narrow, so that no day is joined to every later snapshot (at 1M
    customers with ten years of data that was 200M rows and ran out of memory):
    - lifetime: each transaction falls in the period that the next computed snapshot date
      closes (int_snapshot_periods: a month in a full build, everything in a month added); the
      periods with transactions are summed per customer, run cumulatively, and each is the
      latest one until the next, so a snapshot reads the span it falls in;
    - windowed: transactions summed per customer and day, each day joined only to the
      snapshots whose longest trailing window (365 days, the RFM or the velocity window) holds
      it, and reduced per customer and snapshot in one aggregation, the 12 monthly buckets
      side by side.
    Both read the accepted transactions table; neither holds the other's intermediate rows.
#}
{%- set rfm_window_days = c360_validated_number('rfm_window_days', 1) -%}
{%- set velocity_window_days = c360_validated_number('velocity_window_days', 1) -%}
{%- set trailing_window_days = [365, rfm_window_days, velocity_window_days] | max -%}
{%- set months = range(12) -%}

with

-- read by three CTEs below: each scans the table (see c360_not_materialized)
transactions as {{ c360_not_materialized() }} (
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
    select
        snapshot_date,
        -- the day before the longest trailing window starts (whole days: a fractional window
        -- reaches into the day before it; the exact bound is applied per column below)
        cast({{ dbt.dateadd('day', -(trailing_window_days | round(0, 'ceil') | int),
            'snapshot_date') }} as date) as trailing_window_start_date
    from {{ ref('int_snapshot_dates') }}
    where is_computed
),

-- the periods, and the bounds c360_snapshot_period takes to give a date its period_key
period_keys as (
    select
        period_key,
        period_end_date,
        earliest_snapshot_date,
        as_of_date
    from {{ ref('int_snapshot_periods') }}
),

range_bounds as (
    select
        min(earliest_snapshot_date) as earliest_snapshot_date,
        max(as_of_date) as as_of_date
    from period_keys
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

-- lifetime: per customer and period, running from the first period on
by_period as (
    select
        transactions.customer_id,
        period_keys.period_end_date,
        sum(transactions.amount) as net_amount,
        count(*) as transactions,
        min(transactions.transaction_date) as first_transaction_date,
        max(transactions.transaction_date) as last_transaction_date
    from transactions
    cross join range_bounds
    inner join period_keys
        on period_keys.period_key = {{ c360_snapshot_period(
            'transactions.transaction_date', 'range_bounds.earliest_snapshot_date',
            'range_bounds.as_of_date') }}
    group by transactions.customer_id, period_keys.period_end_date
),

-- purchase days (days with a transaction of amount > 0, valued at the sum of those amounts),
-- for the purchase model, per customer and period; a period with a purchase has a transaction
purchase_days as (
    select
        customer_id,
        transaction_date,
        sum(amount) as day_value
    from transactions
    where amount > 0
    group by customer_id, transaction_date
),

purchase_days_by_period as (
    select
        purchase_days.customer_id,
        period_keys.period_end_date,
        count(*) as purchase_days,
        sum(purchase_days.day_value) as purchase_value,
        min(purchase_days.transaction_date) as first_purchase_date,
        max(purchase_days.transaction_date) as last_purchase_date
    from purchase_days
    cross join range_bounds
    inner join period_keys
        on period_keys.period_key = {{ c360_snapshot_period(
            'purchase_days.transaction_date', 'range_bounds.earliest_snapshot_date',
            'range_bounds.as_of_date') }}
    group by purchase_days.customer_id, period_keys.period_end_date
),

-- the value of each customer's first purchase day (the purchase model leaves it out of the
-- mean spend of repeat purchases)
first_purchase_days as (
    select
        customer_id,
        min(transaction_date) as first_purchase_date
    from purchase_days
    group by customer_id
),

first_purchase_day_values as (
    select
        purchase_days.customer_id,
        purchase_days.day_value as first_purchase_day_value
    from purchase_days
    inner join first_purchase_days
        on purchase_days.customer_id = first_purchase_days.customer_id
            and purchase_days.transaction_date = first_purchase_days.first_purchase_date
),

by_period_with_purchases as (
    select
        by_period.*,
        coalesce(purchase_days_by_period.purchase_days, 0) as purchase_days,
        coalesce(purchase_days_by_period.purchase_value, 0) as purchase_value,
        purchase_days_by_period.first_purchase_date,
        purchase_days_by_period.last_purchase_date
    from by_period
    left join purchase_days_by_period
        on by_period.customer_id = purchase_days_by_period.customer_id
            and by_period.period_end_date = purchase_days_by_period.period_end_date
),

-- the periods with transactions as intervals: each is the latest one until the next
by_period_spans as (
    select
        customer_id,
        period_end_date,
        coalesce(
            lead(period_end_date) over (partition by customer_id order by period_end_date),
            cast('9999-12-31' as date)
        ) as next_period_end_date,
        sum(net_amount) over (
            partition by customer_id order by period_end_date
            rows between unbounded preceding and current row
        ) as lifetime_revenue,
        sum(transactions) over (
            partition by customer_id order by period_end_date
            rows between unbounded preceding and current row
        ) as transaction_count,
        min(first_transaction_date) over (
            partition by customer_id order by period_end_date
            rows between unbounded preceding and current row
        ) as first_transaction_date,
        max(last_transaction_date) over (
            partition by customer_id order by period_end_date
            rows between unbounded preceding and current row
        ) as last_transaction_date,
        sum(purchase_days) over (
            partition by customer_id order by period_end_date
            rows between unbounded preceding and current row
        ) as purchase_days,
        sum(purchase_value) over (
            partition by customer_id order by period_end_date
            rows between unbounded preceding and current row
        ) as purchase_value,
        min(first_purchase_date) over (
            partition by customer_id order by period_end_date
            rows between unbounded preceding and current row
        ) as first_purchase_date,
        max(last_purchase_date) over (
            partition by customer_id order by period_end_date
            rows between unbounded preceding and current row
        ) as last_purchase_date
    from by_period_with_purchases
),

lifetime_at_snapshot as (
    select
        customers.customer_id,
        customers.snapshot_date,
        customers.tenure_days,
        by_period_spans.lifetime_revenue,
        by_period_spans.transaction_count,
        by_period_spans.first_transaction_date,
        by_period_spans.last_transaction_date,
        by_period_spans.purchase_days,
        by_period_spans.purchase_value,
        by_period_spans.first_purchase_date,
        by_period_spans.last_purchase_date
    from customers
    inner join by_period_spans
        on customers.customer_id = by_period_spans.customer_id
            and customers.snapshot_date >= by_period_spans.period_end_date
            and customers.snapshot_date < by_period_spans.next_period_end_date
),

-- trailing windows: each day with the snapshots whose longest trailing window holds it
dated as (
    select
        daily.*,
        snapshot_dates.snapshot_date,
        {{ dbt.datediff('daily.transaction_date', 'snapshot_dates.snapshot_date', 'day') }}
            as days_before_snapshot
    from daily
    inner join snapshot_dates
        on daily.transaction_date <= snapshot_dates.snapshot_date
            and daily.transaction_date > snapshot_dates.trailing_window_start_date
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

windowed_buckets as (
    select
        customer_id,
        snapshot_date,
        sum(case when month_bucket >= 0 then net_amount else 0 end) as revenue_12m,
        max(case
            when has_purchase = 1 and days_before_snapshot < {{ rfm_window_days }} then transaction_date
        end) as last_purchase_date_in_rfm_window,
        sum(case when days_before_snapshot < {{ rfm_window_days }} then purchases else 0 end)
            as purchases_in_rfm_window,
        sum(case when days_before_snapshot < {{ rfm_window_days }} then net_amount else 0 end)
            as net_revenue_in_rfm_window,
        sum(case when days_before_snapshot < {{ velocity_window_days }} then net_amount else 0 end)
            as net_revenue_in_velocity_window,
        -- the monthly buckets side by side: NULL when the bucket holds no transaction
        {% for month in months -%}
            sum(case when month_bucket = {{ month }} then net_amount end)
                as net_amount_month_{{ month }},
        {% endfor -%}
        -- breadth: transaction types used in the last 365 days
        {% for transaction_type in var('transaction_types') -%}
            max(case
                when month_bucket >= 0 then has_{{ transaction_type }}
                else 0
            end){{ ' +' if not loop.last else ' as transaction_types_12m,' }}
        {% endfor -%}
        sum(case when days_before_snapshot < 183 then net_amount else 0 end)
            as revenue_recent_half_year
    from bucketed
    group by customer_id, snapshot_date
),

-- the moments of the monthly buckets, before the join: the buckets themselves stay here
windowed as (
    select
        customer_id,
        snapshot_date,
        revenue_12m,
        last_purchase_date_in_rfm_window,
        purchases_in_rfm_window,
        net_revenue_in_rfm_window,
        net_revenue_in_velocity_window,
        revenue_recent_half_year,
        transaction_types_12m,
        coalesce(
            {% for month in months | reverse -%}
                case when net_amount_month_{{ month }} is not null then {{ month }} end,
            {% endfor -%}
            -1
        ) as oldest_bucket_with_transactions,
        -- exact decimal sums of the monthly buckets: independent of the order of additions
        {% for month in months -%}
            coalesce(
                net_amount_month_{{ month }} * net_amount_month_{{ month }}, 0
            ){{ ' +' if not loop.last else ' as sum_square_monthly_revenue' }}
        {% endfor %}
    from windowed_buckets
),

final as (
    select
        lifetime_at_snapshot.customer_id,
        lifetime_at_snapshot.snapshot_date,
        lifetime_at_snapshot.lifetime_revenue,
        coalesce(windowed.revenue_12m, 0) as revenue_12m,
        lifetime_at_snapshot.transaction_count,
        -- every row here has a transaction, so the count is positive
        {{ c360_money_per_count(
            'lifetime_at_snapshot.lifetime_revenue', 'lifetime_at_snapshot.transaction_count') }}
            as avg_transaction_value,
        lifetime_at_snapshot.first_transaction_date,
        lifetime_at_snapshot.last_transaction_date,
        lifetime_at_snapshot.purchase_days,
        lifetime_at_snapshot.purchase_value,
        lifetime_at_snapshot.first_purchase_date,
        lifetime_at_snapshot.last_purchase_date,
        case
            when lifetime_at_snapshot.purchase_days > 0
                then first_purchase_day_values.first_purchase_day_value
        end as first_purchase_day_value,
        windowed.last_purchase_date_in_rfm_window,
        coalesce(windowed.purchases_in_rfm_window, 0) as purchases_in_rfm_window,
        coalesce(windowed.net_revenue_in_rfm_window, 0) as net_revenue_in_rfm_window,
        coalesce(windowed.net_revenue_in_velocity_window, 0) as net_revenue_in_velocity_window,
        coalesce(windowed.revenue_recent_half_year, 0) as revenue_recent_half_year,
        coalesce(windowed.revenue_12m, 0) - coalesce(windowed.revenue_recent_half_year, 0)
            as revenue_prior_half_year,
        coalesce(windowed.transaction_types_12m, 0) as transaction_types_12m,
        -- revenue trend in [-1, 1]: (recent - prior) / (|recent| + |prior|), NULL when both
        -- half-years are 0; read by the financial_trend health component and by lifecycle.
        -- A score (c360_round_score), so that a trend exactly on growth_min_trend is on it
        -- (the division of two decimals made doubles can land an ulp above it)
        case
            when windowed.revenue_recent_half_year != 0
                or windowed.revenue_12m - windowed.revenue_recent_half_year != 0
                then {{ c360_round_score(
                    'cast(2 * windowed.revenue_recent_half_year - windowed.revenue_12m as double)'
                    ~ ' / cast(abs(windowed.revenue_recent_half_year)'
                    ~ ' + abs(windowed.revenue_12m - windowed.revenue_recent_half_year) as double)'
                ) }}
        end as revenue_trend,
        -- value stability: the monthly buckets that belong to the customer's history, i.e.
        -- reach signup_date (bucket k's latest day is ceil(365k / 12) days back), or hold a
        -- transaction; buckets before signup are no zero-revenue months
        greatest(
            least(12, floor(12 * lifetime_at_snapshot.tenure_days / 365) + 1),
            coalesce(windowed.oldest_bucket_with_transactions, -1) + 1
        ) as months_in_stability_window,
        coalesce(windowed.sum_square_monthly_revenue, 0) as sum_square_monthly_revenue
    from lifetime_at_snapshot
    left join first_purchase_day_values
        on lifetime_at_snapshot.customer_id = first_purchase_day_values.customer_id
    left join windowed
        on lifetime_at_snapshot.customer_id = windowed.customer_id
            and lifetime_at_snapshot.snapshot_date = windowed.snapshot_date
)

select * from final
