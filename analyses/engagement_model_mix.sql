-- Recommended engagement models: how many customers each model serves and the value behind it.
select
    customer_segment,
    dimension_value as recommended_engagement_model,
    customers,
    round(100 * share_of_segment, 1) as pct_of_segment,
    revenue_12m,
    round(mean_estimated_customer_ltv * customers, 0) as total_ltv
from {{ ref('customer360__segment_distributions') }}
where dimension = 'recommended_engagement_model'
order by customer_segment asc, customers desc
