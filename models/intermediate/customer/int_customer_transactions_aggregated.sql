{#
    Accepted transactions reduced to one row per customer: the money columns, the RFM inputs
    over the trailing `rfm_window_days`, and the windows used for velocity, trend and breadth.
    "Trailing N days" holds the dates d with as_of_date - N < d <= as_of_date.
#}
{%- set rfm_window_days = c360_validated_number('rfm_window_days', 1) -%}
{%- set velocity_window_days = c360_validated_number('velocity_window_days', 1) -%}

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
        transactions.transaction_type,
        cast(transactions.transaction_ts as date) as transaction_date,
        {{ dbt.datediff('cast(transactions.transaction_ts as date)', 'as_of.as_of_date', 'day') }}
            as days_before_as_of
    from transactions
    cross join as_of
),

aggregated as (
    select
        customer_id,
        sum(amount) as lifetime_revenue,
        sum(case when days_before_as_of < 365 then amount else 0 end) as revenue_12m,
        count(*) as transaction_count,
        min(transaction_date) as first_transaction_date,
        max(transaction_date) as last_transaction_date,
        -- RFM: a purchase is a transaction with a positive amount
        max(case
            when amount > 0 and days_before_as_of < {{ rfm_window_days }} then transaction_date
        end) as last_purchase_date_in_rfm_window,
        sum(case
            when amount > 0 and days_before_as_of < {{ rfm_window_days }} then 1 else 0
        end) as purchases_in_rfm_window,
        sum(case
            when days_before_as_of < {{ rfm_window_days }} then amount else 0
        end) as net_revenue_in_rfm_window,
        sum(case
            when days_before_as_of < {{ velocity_window_days }} then amount else 0
        end) as net_revenue_in_velocity_window,
        -- financial trend: the latest 183 days against the 182 before them
        sum(case when days_before_as_of < 183 then amount else 0 end) as revenue_recent_half_year,
        sum(case
            when days_before_as_of >= 183 and days_before_as_of < 365 then amount else 0
        end) as revenue_prior_half_year,
        -- breadth: transaction types used in the last 365 days (filtered flags, no count distinct)
        {% for transaction_type in var('transaction_types') -%}
            max(case
                when days_before_as_of < 365 and transaction_type = '{{ transaction_type }}' then 1
                else 0
            end){{ ' +' if not loop.last else ' as transaction_types_12m' }}
        {% endfor %}
    from dated
    group by customer_id
),

final as (
    select
        *,
        -- revenue trend in [-1, 1]: (recent - prior) / (|recent| + |prior|), NULL when both
        -- half-years are 0; read by the financial_trend health component and by lifecycle
        case
            when revenue_recent_half_year != 0 or revenue_prior_half_year != 0
                then
                    cast(revenue_recent_half_year - revenue_prior_half_year as double)
                    / cast(abs(revenue_recent_half_year) + abs(revenue_prior_half_year) as double)
        end as revenue_trend
    from aggregated
)

select * from final
