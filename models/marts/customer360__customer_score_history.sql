{#
    TEMPORARY stand-in for the lead's customer360__customer_score_history (issue 17), with only
    the columns the forecast evaluation reads, so it can be built before the history lands.
    predicted_revenue_365d is a naive placeholder (revenue_12m) until the purchase model lands;
    estimated_customer_ltv a placeholder (lifetime_revenue + 3 x revenue_12m x (1 - churn)).
    Deleted when main gains the real one.
#}

with

features as (
    select
        customer_id,
        snapshot_date,
        customer_segment,
        revenue_12m,
        lifetime_revenue
    from {{ ref('int_customer_snapshot_features') }}
),

churn as (
    select
        customer_id,
        snapshot_date,
        churn_probability,
        churn_probability_configured
    from {{ ref('int_customer_snapshots_churn_scored') }}
),

final as (
    select
        features.customer_id,
        features.snapshot_date,
        features.customer_segment,
        churn.churn_probability,
        churn.churn_probability_configured,
        cast(features.revenue_12m as double) as predicted_revenue_365d,
        cast(features.lifetime_revenue as double)
        + 3 * cast(features.revenue_12m as double) * (1 - churn.churn_probability)
            as estimated_customer_ltv
    from features
    inner join churn
        on features.customer_id = churn.customer_id
            and features.snapshot_date = churn.snapshot_date
)

select * from final
