-- Churn risk: customers and revenue at risk per risk tier and segment, and the top owners' books.
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

by_owner as (
    select
        coalesce(account_owner_id, '(unassigned)') as account_owner_id,
        sum(revenue_at_risk) as revenue_at_risk,
        sum(case when churn_risk_tier = 'High' then 1 else 0 end) as high_risk_customers
    from mart
    group by coalesce(account_owner_id, '(unassigned)')
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
    high_risk_customers as customers,
    revenue_at_risk
from by_owner
order by view_name asc, revenue_at_risk desc
