{#
    RFM over the trailing `rfm_window_days`. Scores 1-5 by quintile among customers with at
    least one purchase in the window: with k = ranked customers whose value is no better than
    this one's and n = customers ranked, score = floor((5k + n - 1) / n) = ceil(5 * cume_dist),
    in exact integer arithmetic so ties share a score and no float rounding moves a boundary.
    Customers without a purchase in the window score 1, 1, 1.
#}
{%- set weights = c360_validated_weights('rfm_weights', ['recency', 'frequency', 'monetary']) -%}

with

customers as (
    select customer_id from {{ ref('int_customers_validated') }}
    where rejection_reason is null
),

transactions as (
    select * from {{ ref('int_customer_transactions_aggregated') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

rfm_inputs as (
    select
        customers.customer_id,
        {{ dbt.datediff('transactions.last_purchase_date_in_rfm_window', 'as_of.as_of_date', 'day') }}
            as recency_days,
        cast(coalesce(transactions.purchases_in_rfm_window, 0) as integer) as frequency,
        coalesce(transactions.net_revenue_in_rfm_window, 0) as monetary
    from customers
    cross join as_of
    left join transactions
        on customers.customer_id = transactions.customer_id
),

ranked as (
    select
        customer_id,
        count(*) over () as ranked_customers,
        count(*) over (
            order by recency_days desc range between unbounded preceding and current row
        ) as recency_rank_no_better,
        count(*) over (
            order by frequency range between unbounded preceding and current row
        ) as frequency_rank_no_better,
        count(*) over (
            order by monetary range between unbounded preceding and current row
        ) as monetary_rank_no_better
    from rfm_inputs
    where frequency > 0
),

scored as (
    select
        rfm_inputs.customer_id,
        rfm_inputs.recency_days,
        rfm_inputs.frequency,
        rfm_inputs.monetary,
        {{ c360_quintile_score('ranked.recency_rank_no_better', 'ranked.ranked_customers') }}
            as recency_score,
        {{ c360_quintile_score('ranked.frequency_rank_no_better', 'ranked.ranked_customers') }}
            as frequency_score,
        {{ c360_quintile_score('ranked.monetary_rank_no_better', 'ranked.ranked_customers') }}
            as monetary_score
    from rfm_inputs
    left join ranked
        on rfm_inputs.customer_id = ranked.customer_id
),

final as (
    select
        *,
        -- rounded to 10 decimals so that equal composites reached from different R/F/M mixes
        -- compare and group as equal (3.1 vs 3.0999999999999996)
        round(
            cast({{ weights.recency }} as double) * recency_score
            + cast({{ weights.frequency }} as double) * frequency_score
            + cast({{ weights.monetary }} as double) * monetary_score,
            10
        ) as rfm_composite_score,
        monetary_score - cast(recency_score + frequency_score as double) / 2 as monetary_bias
    from scored
)

select * from final
