{#
    Lifecycle stage, value stability, health band and the recommended engagement model.
    lifecycle_stage, first rule that holds:
      Onboarding  tenure_days < onboarding_days
      Dormant     no touch at all, or days_since_last_activity > dormant_after_days
      Growth      revenue trend (recent - prior) / (|recent| + |prior|) > growth_min_trend
      Maturity    tenure_days >= maturity_min_tenure_days and |trend| <= growth_min_trend
      Retention   everyone else (established, flat or declining: the job is to keep them)
    value_stability from the coefficient of variation (CV) of the 12 monthly net revenues:
      Stable <= stable < Medium Stability <= medium < Low Stability <= low < Unstable;
      no positive mean (no net revenue in 12 months) is Unstable.
    recommended_engagement_model: the row of seed `engagement_model_decisions` matching
      (customer_segment, churn_risk_tier, health_band).
#}
{%- set onboarding_days = c360_validated_number('onboarding_days', 0) -%}
{%- set dormant_after_days = c360_validated_number('dormant_after_days', 0) -%}
{%- set growth_min_trend = c360_validated_number('growth_min_trend', 0, 1) -%}
{%- set maturity_min_tenure_days = c360_validated_number('maturity_min_tenure_days', 0) -%}
{%- set cv_bounds = c360_validated_cutoffs(
    'value_stability_cv_bounds', ['stable', 'medium', 'low'], 0, none) -%}
{%- set health_bands = c360_validated_cutoffs('health_band_cutoffs', ['medium', 'high'], 1, 5) -%}

with

customers as (
    select
        customer_id,
        signup_date
    from {{ ref('int_customers_validated') }}
    where rejection_reason is null
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

tiered as (
    select
        customer_id,
        customer_segment
    from {{ ref('int_customers_tiered') }}
),

transactions as (
    select
        customer_id,
        revenue_trend
    from {{ ref('int_customer_transactions_aggregated') }}
),

stability as (
    select * from {{ ref('int_customer_monthly_revenue_stability') }}
),

touchpoints as (
    select
        customer_id,
        days_since_last_activity
    from {{ ref('int_customers_touchpoints_summarised') }}
),

health as (
    select
        customer_id,
        customer_health_score,
        churn_risk_tier
    from {{ ref('int_customers_health_scored') }}
),

decisions as (
    select * from {{ ref('engagement_model_decisions') }}
),

inputs as (
    select
        customers.customer_id,
        {{ dbt.datediff('customers.signup_date', 'as_of.as_of_date', 'day') }}
            as tenure_days,
        touchpoints.days_since_last_activity,
        coalesce(transactions.revenue_trend, 0) as revenue_trend,
        stability.coefficient_of_variation,
        tiered.customer_segment,
        health.churn_risk_tier,
        case
            when health.customer_health_score >= {{ health_bands.high }} then 'High'
            when health.customer_health_score >= {{ health_bands.medium }} then 'Medium'
            else 'Low'
        end as health_band
    from customers
    cross join as_of
    inner join tiered on customers.customer_id = tiered.customer_id
    inner join touchpoints on customers.customer_id = touchpoints.customer_id
    inner join health on customers.customer_id = health.customer_id
    left join transactions on customers.customer_id = transactions.customer_id
    left join stability on customers.customer_id = stability.customer_id
),

staged as (
    select
        *,
        case
            when tenure_days < {{ onboarding_days }} then 'Onboarding'
            when days_since_last_activity is null
                or days_since_last_activity > {{ dormant_after_days }} then 'Dormant'
            when revenue_trend > {{ growth_min_trend }} then 'Growth'
            when tenure_days >= {{ maturity_min_tenure_days }}
                and abs(revenue_trend) <= {{ growth_min_trend }} then 'Maturity'
            else 'Retention'
        end as lifecycle_stage,
        case
            when coefficient_of_variation is null then 'Unstable'
            when coefficient_of_variation <= {{ cv_bounds.stable }} then 'Stable'
            when coefficient_of_variation <= {{ cv_bounds.medium }} then 'Medium Stability'
            when coefficient_of_variation <= {{ cv_bounds.low }} then 'Low Stability'
            else 'Unstable'
        end as value_stability
    from inputs
),

final as (
    select
        staged.customer_id,
        staged.tenure_days,
        staged.lifecycle_stage,
        staged.value_stability,
        staged.health_band,
        decisions.recommended_engagement_model
    from staged
    left join decisions
        on staged.customer_segment = decisions.customer_segment
            and staged.churn_risk_tier = decisions.churn_risk_tier
            and staged.health_band = decisions.health_band
)

select * from final
