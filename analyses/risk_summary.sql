-- Churn risk: customers and revenue at risk per risk tier and segment, and per owner's book
-- ('unassigned' for the pool without an owner, as customer360__owner_book_of_business names it).
with

mart as (
    select * from {{ ref('customer360__customer_value_analysis') }}
),

by_tier as (
    select
        customer_segment,
        churn_risk_tier,
        count(*) as customers,
        sum(expected_annual_revenue) as expected_annual_revenue,
        sum(revenue_at_risk) as revenue_at_risk,
        round(avg(churn_probability), 3) as mean_churn_probability
    from mart
    group by customer_segment, churn_risk_tier
),

books as (
    -- revenue at risk per owner is the books of business' figure, not summed again here
    select * from {{ ref('customer360__owner_book_of_business') }}
)

select
    'tier' as view_name,
    customer_segment || ' / ' || churn_risk_tier as label,
    customers,
    revenue_at_risk
from by_tier
union all
select
    'owner' as view_name,
    account_owner_id as label,
    customers,
    revenue_at_risk
from books
order by view_name asc, revenue_at_risk desc
