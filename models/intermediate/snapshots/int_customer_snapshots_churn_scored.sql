{#
    The churn probability each snapshot uses, and its risk tier (var `churn_risk_cutoffs`:
    Medium from `medium`, High from `high`). Today the configured formula.
#}
{%- set risk = c360_validated_cutoffs('churn_risk_cutoffs', ['medium', 'high'], 0, 1) -%}

with

configured as (
    select * from {{ ref('int_customer_snapshots_churn_configured') }}
),

chosen as (
    select
        customer_id,
        snapshot_date,
        churn_probability_configured,
        churn_probability_configured as churn_probability,
        'configured' as churn_model_source
    from configured
),

final as (
    select
        *,
        case
            when churn_probability >= {{ risk.high }} then 'High'
            when churn_probability >= {{ risk.medium }} then 'Medium'
            else 'Low'
        end as churn_risk_tier
    from chosen
)

select * from final
