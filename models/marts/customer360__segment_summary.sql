{#
    One row per customer segment with the figures the seeds compare. Shares are of all
    customers and of total revenue_12m; the efficiency ratios divide segment means (NULL when
    the divisor is 0).
#}

with

customers as (
    select * from {{ ref('customer360__customer_value_analysis') }}
),

totals as (
    select
        count(*) as all_customers,
        sum(revenue_12m) as all_revenue_12m
    from customers
),

segments as (
    select
        customer_segment,
        count(*) as customers,
        sum(revenue_12m) as revenue_12m,
        {{ c360_exact_mean('estimated_customer_ltv') }} as mean_estimated_customer_ltv,
        {{ c360_exact_mean('expected_annual_revenue') }} as mean_expected_annual_revenue,
        {{ c360_exact_mean('customer_health_score') }} as mean_customer_health_score,
        {{ c360_exact_mean('churn_probability') }} as mean_churn_probability,
        {{ c360_exact_mean('rfm_composite_score') }} as mean_rfm_composite_score,
        {{ c360_exact_mean('monetary_bias') }} as mean_monetary_bias,
        {{ c360_exact_mean('frequency_score') }} as mean_frequency_score,
        {{ c360_exact_mean('days_since_last_activity') }} as mean_days_since_last_activity,
        cast(sum(revenue_at_risk) as double) as total_revenue_at_risk
    from customers
    group by customer_segment
),

final as (
    select
        segments.customer_segment,
        segments.customers,
        1.0 * segments.customers / totals.all_customers as share_of_customers,
        case
            when totals.all_revenue_12m > 0
                then cast(segments.revenue_12m as double) / cast(totals.all_revenue_12m as double)
        end as share_of_revenue_12m,
        cast(segments.revenue_12m as decimal(18, 2)) as revenue_12m,
        segments.mean_estimated_customer_ltv,
        segments.mean_expected_annual_revenue,
        segments.mean_customer_health_score,
        segments.mean_churn_probability,
        segments.mean_rfm_composite_score,
        segments.mean_monetary_bias,
        segments.mean_days_since_last_activity,
        segments.total_revenue_at_risk,
        segments.mean_estimated_customer_ltv
        / nullif(segments.mean_rfm_composite_score, 0) as ltv_per_rfm_point,
        segments.mean_expected_annual_revenue
        / nullif(segments.mean_rfm_composite_score, 0) as expected_revenue_per_rfm_point,
        segments.mean_estimated_customer_ltv
        / nullif(segments.mean_frequency_score, 0) as ltv_per_frequency_point
    from segments
    cross join totals
)

select * from final
