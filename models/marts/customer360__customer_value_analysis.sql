{#
    The customer value mart: one row per accepted customer. This model only assembles; each
    rule lives in the intermediate model named for it.
#}

with

customers as (
    select * from {{ ref('int_customers_validated') }}
    where rejection_reason is null
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

transactions as (
    select * from {{ ref('int_customer_transactions_aggregated') }}
),

tiered as (
    select * from {{ ref('int_customers_tiered') }}
),

rfm as (
    select * from {{ ref('int_customers_rfm_scored') }}
),

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

touchpoints as (
    select * from {{ ref('int_customers_touchpoints_summarised') }}
),

health as (
    select * from {{ ref('int_customers_health_scored') }}
),

projected as (
    select * from {{ ref('int_customers_value_projected') }}
),

lifecycle as (
    select * from {{ ref('int_customers_lifecycle_staged') }}
),

final as (
    select
        -- identity
        customers.customer_id,
        customers.customer_name,
        customers.industry,
        customers.region,
        customers.country_code,
        customers.account_owner_id,
        customers.signup_date,
        cast(lifecycle.tenure_days as {{ dbt.type_bigint() }}) as tenure_days,
        as_of.as_of_date,

        -- money, net of refunds
        cast(coalesce(transactions.lifetime_revenue, 0) as decimal(18, 2)) as lifetime_revenue,
        cast(tiered.revenue_12m as decimal(18, 2)) as revenue_12m,
        coalesce(transactions.transaction_count, 0) as transaction_count,
        transactions.first_transaction_date,
        transactions.last_transaction_date,
        {{ c360_money_per_count('transactions.lifetime_revenue', 'transactions.transaction_count') }}
            as avg_transaction_value,
        projected.expected_annual_revenue,
        projected.revenue_velocity_monthly,
        projected.estimated_customer_ltv,
        projected.upsell_potential,
        projected.risk_adjusted_value,
        projected.revenue_at_risk,

        -- tier and portfolio
        tiered.customer_tier,
        tiered.portfolio_contribution_pct,
        tiered.is_high_value_enterprise,
        tiered.customer_segment,

        -- RFM
        cast(rfm.recency_days as {{ dbt.type_bigint() }}) as recency_days,
        rfm.frequency,
        cast(rfm.monetary as decimal(18, 2)) as monetary,
        rfm.recency_score,
        rfm.frequency_score,
        rfm.monetary_score,
        rfm.rfm_composite_score,
        rfm.monetary_bias,
        rfm_segments.rfm_segment,

        -- health and risk
        cast(touchpoints.days_since_last_activity as {{ dbt.type_bigint() }}) as days_since_last_activity,
        health.customer_health_score,
        health.health_weakest_component,
        health.churn_probability,
        health.churn_risk_tier,
        lifecycle.value_stability,
        lifecycle.lifecycle_stage,
        lifecycle.recommended_engagement_model,

        -- funnel
        cast(touchpoints.marketing_to_sales_days as {{ dbt.type_bigint() }}) as marketing_to_sales_days,
        cast(touchpoints.sales_to_support_days as {{ dbt.type_bigint() }}) as sales_to_support_days,
        touchpoints.cross_stage_engagement_consistency
    from customers
    cross join as_of
    inner join tiered on customers.customer_id = tiered.customer_id
    inner join rfm on customers.customer_id = rfm.customer_id
    inner join touchpoints on customers.customer_id = touchpoints.customer_id
    inner join health on customers.customer_id = health.customer_id
    inner join projected on customers.customer_id = projected.customer_id
    inner join lifecycle on customers.customer_id = lifecycle.customer_id
    left join transactions on customers.customer_id = transactions.customer_id
    left join rfm_segments
        on rfm.recency_score = rfm_segments.recency_score
            and rfm.frequency_score = rfm_segments.frequency_score
)

select * from final
