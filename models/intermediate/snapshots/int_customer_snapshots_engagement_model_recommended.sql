{#
    The recommended engagement model per snapshot: the row of seed `engagement_model_decisions`
    matching (customer_segment, churn_risk_tier, health_band), health_band from var
    `health_band_cutoffs` (High from `high`, Medium from `medium`, else Low).
#}
{%- set health_bands = c360_validated_cutoffs('health_band_cutoffs', ['medium', 'high'], 1, 5) -%}

with

tiered as (
    select
        customer_id,
        snapshot_date,
        customer_segment
    from {{ ref('int_customer_snapshots_tiered') }}
),

health as (
    select
        customer_id,
        snapshot_date,
        customer_health_score
    from {{ ref('int_customer_snapshots_health_scored') }}
),

churn as (
    select
        customer_id,
        snapshot_date,
        churn_risk_tier
    from {{ ref('int_customer_snapshots_churn_scored') }}
),

decisions as (
    select * from {{ ref('engagement_model_decisions') }}
),

banded as (
    select
        tiered.customer_id,
        tiered.snapshot_date,
        tiered.customer_segment,
        churn.churn_risk_tier,
        case
            when health.customer_health_score >= {{ health_bands.high }} then 'High'
            when health.customer_health_score >= {{ health_bands.medium }} then 'Medium'
            else 'Low'
        end as health_band
    from tiered
    inner join health
        on tiered.customer_id = health.customer_id
            and tiered.snapshot_date = health.snapshot_date
    inner join churn
        on tiered.customer_id = churn.customer_id
            and tiered.snapshot_date = churn.snapshot_date
),

final as (
    select
        banded.customer_id,
        banded.snapshot_date,
        banded.health_band,
        decisions.recommended_engagement_model
    from banded
    left join decisions
        on banded.customer_segment = decisions.customer_segment
            and banded.churn_risk_tier = decisions.churn_risk_tier
            and banded.health_band = decisions.health_band
)

select * from final
