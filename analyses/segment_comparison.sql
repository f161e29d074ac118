-- The seeds' headline question: how do High-Value Enterprise customers compare with the rest?
-- (customers, shares, mean LTV and expected revenue, health, churn, composite RFM, efficiency)
with

summary as (
    select * from {{ ref('customer360__segment_summary') }}
),

smb as (
    select
        mean_estimated_customer_ltv as smb_mean_ltv,
        mean_expected_annual_revenue as smb_mean_expected_annual_revenue
    from summary
    where customer_segment = 'SMB'
)

select
    summary.customer_segment,
    summary.customers,
    round(100 * summary.share_of_customers, 1) as pct_of_customers,
    round(100 * summary.share_of_revenue_12m, 1) as pct_of_revenue_12m,
    round(summary.mean_estimated_customer_ltv, 0) as mean_ltv,
    round(summary.mean_estimated_customer_ltv / nullif(smb.smb_mean_ltv, 0), 2) as ltv_vs_smb,
    round(summary.mean_expected_annual_revenue, 0) as mean_expected_annual_revenue,
    round(summary.mean_customer_health_score, 2) as mean_health,
    round(summary.mean_churn_probability, 2) as mean_churn_probability,
    round(summary.mean_rfm_composite_score, 2) as mean_rfm_composite,
    round(summary.mean_monetary_bias, 2) as mean_monetary_bias,
    round(summary.mean_days_since_last_activity, 0) as mean_days_since_last_activity,
    round(summary.ltv_per_rfm_point, 0) as ltv_per_rfm_point,
    round(summary.expected_revenue_per_rfm_point, 0) as expected_revenue_per_rfm_point,
    round(summary.ltv_per_frequency_point, 0) as ltv_per_frequency_point
from summary
cross join smb
order by summary.mean_estimated_customer_ltv desc
