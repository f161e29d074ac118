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
    select
        customer_id,
        snapshot_date,
        tenure_days
    from {{ ref('int_customer_snapshots') }}
),

transactions as (
    select
        customer_id,
        snapshot_date,
        revenue_trend
    from {{ ref('int_customer_snapshots_transactions_aggregated') }}
),

touchpoints as (
    select
        customer_id,
        snapshot_date,
        days_since_last_activity
    from {{ ref('int_customer_snapshots_touchpoints_summarised') }}
),

inputs as (
    select
        customers.customer_id,
        customers.snapshot_date,
        customers.tenure_days,
        touchpoints.days_since_last_activity,
        coalesce(transactions.revenue_trend, 0) as revenue_trend
    from customers
    inner join touchpoints
        on customers.customer_id = touchpoints.customer_id
            and customers.snapshot_date = touchpoints.snapshot_date
    left join transactions
        on customers.customer_id = transactions.customer_id
            and customers.snapshot_date = transactions.snapshot_date
),

final as (
    select
        customer_id,
        snapshot_date,
        case
            when tenure_days < {{ onboarding_days }} then 'Onboarding'
            when days_since_last_activity is null
                or days_since_last_activity > {{ dormant_after_days }} then 'Dormant'
            when revenue_trend > {{ growth_min_trend }} then 'Growth'
            when tenure_days >= {{ maturity_min_tenure_days }}
                and abs(revenue_trend) <= {{ growth_min_trend }} then 'Maturity'
            else 'Retention'
        end as lifecycle_stage
    from inputs
)

select * from final
