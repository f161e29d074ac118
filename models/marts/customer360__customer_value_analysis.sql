{#
    The customer value mart: one row per accepted customer at as_of_date. It is the history's
    slice at as_of_date (the same SQL computes every snapshot) with the trend columns of SPEC
    section 7 (int_customer_score_trends), which compare it with the snapshots one, two and
    three months before.
#}

with

as_of_snapshot as (
    select snapshot_date from {{ ref('int_snapshot_dates') }}
    where months_before = 0
),

current_scores as (
    select history.* from {{ ref('customer360__customer_score_history') }} as history
    inner join as_of_snapshot
        on history.snapshot_date = as_of_snapshot.snapshot_date
),

trends as (
    select * from {{ ref('int_customer_score_trends') }}
),

final as (
    select
        current_scores.customer_id,
        current_scores.customer_name,
        current_scores.industry,
        current_scores.region,
        current_scores.country_code,
        current_scores.account_owner_id,
        current_scores.signup_date,
        current_scores.tenure_days,
        current_scores.as_of_date,

        current_scores.lifetime_revenue,
        current_scores.revenue_12m,
        current_scores.transaction_count,
        current_scores.first_transaction_date,
        current_scores.last_transaction_date,
        current_scores.avg_transaction_value,
        current_scores.expected_annual_revenue,
        current_scores.revenue_velocity_monthly,
        current_scores.estimated_customer_ltv,
        current_scores.upsell_potential,
        current_scores.risk_adjusted_value,
        current_scores.revenue_at_risk,

        current_scores.customer_tier,
        current_scores.portfolio_contribution_pct,
        current_scores.is_high_value_enterprise,
        current_scores.customer_segment,

        current_scores.recency_days,
        current_scores.frequency,
        current_scores.monetary,
        current_scores.recency_score,
        current_scores.frequency_score,
        current_scores.monetary_score,
        current_scores.rfm_composite_score,
        current_scores.monetary_bias,
        current_scores.rfm_segment,

        current_scores.days_since_last_activity,
        current_scores.customer_health_score,
        current_scores.health_weakest_component,
        current_scores.churn_probability,
        current_scores.churn_probability_configured,
        current_scores.churn_model_source,
        current_scores.churn_risk_tier,
        current_scores.value_stability,
        current_scores.lifecycle_stage,
        current_scores.recommended_engagement_model,

        current_scores.marketing_to_sales_days,
        current_scores.sales_to_support_days,
        current_scores.cross_stage_engagement_consistency,
        current_scores.first_marketing_date,
        current_scores.first_sales_date,
        current_scores.first_support_date,

        -- value forecasts (SPEC section 8)
        current_scores.p_alive,
        current_scores.predicted_purchases_365d,
        current_scores.predicted_revenue_365d,

        -- trends (SPEC section 7)
        trends.health_score_change_3m,
        trends.churn_probability_change_3m,
        trends.rfm_composite_change_3m,
        trends.recency_score_change_1m,
        trends.frequency_score_change_1m,
        trends.rf_declining_3m
    from current_scores
    left join trends
        on current_scores.customer_id = trends.customer_id
)

select * from final
