{#
    The customer value mart: one row per accepted customer at as_of_date. It is the history's
    slice at as_of_date (the same SQL computes every snapshot), plus the trend columns of SPEC
    section 7, which compare it with the snapshots one, two and three months before: a change is
    the value now minus the value then, NULL when the customer has no row then.
    rf_declining_3m: with s = recency_score + frequency_score now and one, two and three months
    before (s0..s3), s0 <= s1 <= s2 <= s3 and s0 < s3; NULL when any of the four is missing.
#}

with

snapshot_dates as (
    select
        snapshot_date,
        months_before
    from {{ ref('int_snapshot_dates') }}
    where months_before <= 3
),

-- the history is named in each CTE that reads it: a CTE read twice is materialised whole by
-- DuckDB, which for the history is every customer of every snapshot (at 1M customers, 37 s)
current_scores as (
    select history.* from {{ ref('customer360__customer_score_history') }} as history
    inner join snapshot_dates
        on history.snapshot_date = snapshot_dates.snapshot_date
    where snapshot_dates.months_before = 0
),

earlier_scores as (
    select
        history.customer_id,
        snapshot_dates.months_before,
        history.recency_score + history.frequency_score as rf_score_sum,
        history.recency_score,
        history.frequency_score,
        history.customer_health_score,
        history.churn_probability,
        history.rfm_composite_score
    from {{ ref('customer360__customer_score_history') }} as history
    inner join snapshot_dates
        on history.snapshot_date = snapshot_dates.snapshot_date
    where snapshot_dates.months_before between 1 and 3
),

trends as (
    select
        customer_id,
        max(case when months_before = 1 then rf_score_sum end) as rf_score_sum_1m,
        max(case when months_before = 2 then rf_score_sum end) as rf_score_sum_2m,
        max(case when months_before = 3 then rf_score_sum end) as rf_score_sum_3m,
        max(case when months_before = 1 then recency_score end) as recency_score_1m,
        max(case when months_before = 1 then frequency_score end) as frequency_score_1m,
        max(case when months_before = 3 then customer_health_score end) as customer_health_score_3m,
        max(case when months_before = 3 then churn_probability end) as churn_probability_3m,
        max(case when months_before = 3 then rfm_composite_score end) as rfm_composite_score_3m
    from earlier_scores
    group by customer_id
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

        -- trends (SPEC section 7); a change of a score is a score too (c360_round_score), so
        -- 3.1 - 3.0 is 0.1, not 0.10000000000000009, for a rule's bound
        {{ c360_round_score(
            'current_scores.customer_health_score - trends.customer_health_score_3m') }}
            as health_score_change_3m,
        current_scores.churn_probability - trends.churn_probability_3m
            as churn_probability_change_3m,
        {{ c360_round_score(
            'current_scores.rfm_composite_score - trends.rfm_composite_score_3m') }}
            as rfm_composite_change_3m,
        current_scores.recency_score - trends.recency_score_1m as recency_score_change_1m,
        current_scores.frequency_score - trends.frequency_score_1m as frequency_score_change_1m,
        case
            when trends.rf_score_sum_1m is not null
                and trends.rf_score_sum_2m is not null
                and trends.rf_score_sum_3m is not null
                then current_scores.recency_score + current_scores.frequency_score
                    <= trends.rf_score_sum_1m
                    and trends.rf_score_sum_1m <= trends.rf_score_sum_2m
                    and trends.rf_score_sum_2m <= trends.rf_score_sum_3m
                    and current_scores.recency_score + current_scores.frequency_score
                    < trends.rf_score_sum_3m
        end as rf_declining_3m
    from current_scores
    left join trends
        on current_scores.customer_id = trends.customer_id
)

select * from final
