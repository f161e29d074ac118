-- Lifecycle stage mix per segment: where are the dormant customers, and what are they worth?
select
    customer_segment,
    dimension_value as lifecycle_stage,
    customers,
    round(100 * share_of_segment, 1) as pct_of_segment,
    round(mean_estimated_customer_ltv, 0) as mean_ltv
from {{ ref('customer360__segment_distributions') }}
where dimension = 'lifecycle_stage'
order by customer_segment asc, customers desc
