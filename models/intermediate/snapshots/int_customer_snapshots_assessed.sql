{#
    Activity, health, churn, stability, lifecycle, engagement model and funnel timings of each
    customer and computed snapshot: the second half of a history row.
#}

with

touchpoints as (
    select * from {{ ref('int_customer_snapshots_touchpoints_summarised') }}
),

health as (
    select * from {{ ref('int_customer_snapshots_health_scored') }}
),

churn as (
    select * from {{ ref('int_customer_snapshots_churn_scored') }}
),

stability as (
    select * from {{ ref('int_customer_snapshots_value_stability_classified') }}
),

lifecycle as (
    select * from {{ ref('int_customer_snapshots_lifecycle_staged') }}
),

engagement as (
    select * from {{ ref('int_customer_snapshots_engagement_model_recommended') }}
),

final as (
    select
        touchpoints.customer_id,
        touchpoints.snapshot_date,
        cast(touchpoints.days_since_last_activity as {{ dbt.type_bigint() }}) as days_since_last_activity,
        health.customer_health_score,
        health.health_weakest_component,
        churn.churn_probability,
        churn.churn_probability_configured,
        churn.churn_model_source,
        churn.churn_risk_tier,
        stability.value_stability,
        lifecycle.lifecycle_stage,
        engagement.recommended_engagement_model,
        touchpoints.first_marketing_date,
        touchpoints.first_sales_date,
        touchpoints.first_support_date,
        cast(touchpoints.marketing_to_sales_days as {{ dbt.type_bigint() }}) as marketing_to_sales_days,
        cast(touchpoints.sales_to_support_days as {{ dbt.type_bigint() }}) as sales_to_support_days,
        touchpoints.cross_stage_engagement_consistency
    from touchpoints
    inner join health
        on touchpoints.customer_id = health.customer_id
            and touchpoints.snapshot_date = health.snapshot_date
    inner join churn
        on touchpoints.customer_id = churn.customer_id
            and touchpoints.snapshot_date = churn.snapshot_date
    inner join stability
        on touchpoints.customer_id = stability.customer_id
            and touchpoints.snapshot_date = stability.snapshot_date
    inner join lifecycle
        on touchpoints.customer_id = lifecycle.customer_id
            and touchpoints.snapshot_date = lifecycle.snapshot_date
    inner join engagement
        on touchpoints.customer_id = engagement.customer_id
            and touchpoints.snapshot_date = engagement.snapshot_date
)

select * from final
