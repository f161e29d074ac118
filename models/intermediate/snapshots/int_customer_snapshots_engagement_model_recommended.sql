{#
    The recommended engagement model per snapshot: the row of seed `engagement_model_decisions`
    matching (customer_segment, churn_risk_tier, health_band), health_band from var
    `health_band_cutoffs` (High from `high`, Medium from `medium`, else Low).
#}
{%- set health_bands = c360_validated_cutoffs('health_band_cutoffs', ['medium', 'high'], 1, 5) -%}

with

customers as (
    select * from {{ ref('int_customer_snapshots_lifecycle_staged') }}
),

decisions as (
    select * from {{ ref('engagement_model_decisions') }}
),

banded as (
    select
        *,
        case
            when customer_health_score >= {{ health_bands.high }} then 'High'
            when customer_health_score >= {{ health_bands.medium }} then 'Medium'
            else 'Low'
        end as health_band
    from customers
),

final as (
    select
        banded.*,
        decisions.recommended_engagement_model
    from banded
    left join decisions
        on banded.customer_segment = decisions.customer_segment
            and banded.churn_risk_tier = decisions.churn_risk_tier
            and banded.health_band = decisions.health_band
)

select * from final
