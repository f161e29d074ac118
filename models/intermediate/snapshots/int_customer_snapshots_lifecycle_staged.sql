{#
    Lifecycle stage per snapshot, the first rule that holds:
      Onboarding  tenure_days < onboarding_days
      Dormant     no touch at all, or days_since_last_activity > dormant_after_days
      Growth      revenue trend (recent - prior) / (|recent| + |prior|) > growth_min_trend
      Maturity    tenure_days >= maturity_min_tenure_days and |trend| <= growth_min_trend
      Retention   everyone else (established, flat or declining: the job is to keep them)
#}
{%- set onboarding_days = c360_validated_number('onboarding_days', 0) -%}
{%- set dormant_after_days = c360_validated_number('dormant_after_days', 0) -%}
{%- set growth_min_trend = c360_validated_number('growth_min_trend', 0, 1) -%}
{%- set maturity_min_tenure_days = c360_validated_number('maturity_min_tenure_days', 0) -%}

with

customers as (
    select * from {{ ref('int_customer_snapshots_value_stability_classified') }}
),

final as (
    select
        *,
        case
            when tenure_days < {{ onboarding_days }} then 'Onboarding'
            when days_since_last_activity is null
                or days_since_last_activity > {{ dormant_after_days }} then 'Dormant'
            when coalesce(revenue_trend, 0) > {{ growth_min_trend }} then 'Growth'
            when tenure_days >= {{ maturity_min_tenure_days }}
                and abs(coalesce(revenue_trend, 0)) <= {{ growth_min_trend }} then 'Maturity'
            else 'Retention'
        end as lifecycle_stage
    from customers
)

select * from final
