{#
    Forward-looking money per customer and snapshot, in cents (decimal(18,2), rounded half away
    from zero):
      expected_annual_revenue   max(revenue_12m, 0): the last 12 months' net revenue as the run-rate
      revenue_velocity_monthly  net revenue of the trailing velocity_window_days scaled to a month
                                (x (365 / 12) / velocity_window_days)
      estimated_customer_ltv    max(lifetime_revenue, 0) + expected_annual_revenue * r / (1 + d - r),
                                r = 1 - churn_probability (retention), d = ltv_discount_rate
      upsell_potential          (next tier's min_revenue_12m - revenue_12m) * upsell_capture_rate
                                * (customer_health_score - 1) / 4; 0 in the top tier
      revenue_at_risk           expected_annual_revenue * churn_probability
      risk_adjusted_value       expected_annual_revenue - revenue_at_risk, i.e.
                                expected_annual_revenue * (1 - churn_probability) to the cent
#}
{%- set velocity_window_days = c360_validated_number('velocity_window_days', 1) -%}
{%- set discount_rate = c360_validated_number('ltv_discount_rate', 0, 1) -%}
{%- set upsell_capture_rate = c360_validated_number('upsell_capture_rate', 0, 1) -%}

with

customers as (
    select * from {{ ref('int_customer_snapshots_churn_scored') }}
),

tiers as (
    select
        customer_tier,
        min_revenue_12m
    from {{ ref('tier_thresholds') }}
),

next_tier_bounds as (
    select
        current_tier.customer_tier,
        min(higher_tier.min_revenue_12m) as next_tier_min_revenue_12m
    from tiers as current_tier
    left join tiers as higher_tier
        on current_tier.min_revenue_12m < higher_tier.min_revenue_12m
    group by current_tier.customer_tier
),

-- the unrounded figures, and the next tier's bound; only the rounded ones are read downstream
projected as (
    select
        customers.*,
        case when customers.revenue_12m > 0 then customers.revenue_12m else 0 end
            as expected_annual_revenue_exact,
        next_tier_bounds.next_tier_min_revenue_12m
    from customers
    left join next_tier_bounds on customers.customer_tier = next_tier_bounds.customer_tier
),

at_risk as (
    select
        *,
        cast(
            {{ c360_round('cast(expected_annual_revenue_exact as double) * churn_probability', 2) }}
            as decimal(18, 2)
        ) as revenue_at_risk
    from projected
),

unrounded as (
    select
        *,
        cast(net_revenue_in_velocity_window as double) * (cast(365 as double) / 12)
        / {{ velocity_window_days }} as revenue_velocity_monthly_unrounded,
        case when lifetime_revenue > 0 then cast(lifetime_revenue as double) else 0 end
        + cast(expected_annual_revenue_exact as double) * (1 - churn_probability)
        / (1 + {{ discount_rate }} - (1 - churn_probability)) as estimated_customer_ltv_unrounded,
        case
            when next_tier_min_revenue_12m is null then 0
            when next_tier_min_revenue_12m > revenue_12m
                then cast(next_tier_min_revenue_12m - revenue_12m as double)
                    * {{ upsell_capture_rate }} * (customer_health_score - 1) / 4
            else 0
        end as upsell_potential_unrounded
    from at_risk
),

final as (
    select
        *,
        cast(expected_annual_revenue_exact as decimal(18, 2)) as expected_annual_revenue,
        -- the complement in exact decimals, so the two always add up to expected_annual_revenue
        cast(expected_annual_revenue_exact - revenue_at_risk as decimal(18, 2)) as risk_adjusted_value,
        cast({{ c360_round('revenue_velocity_monthly_unrounded', 2) }} as decimal(18, 2))
            as revenue_velocity_monthly,
        cast({{ c360_round('estimated_customer_ltv_unrounded', 2) }} as decimal(18, 2))
            as estimated_customer_ltv,
        cast({{ c360_round('upsell_potential_unrounded', 2) }} as decimal(18, 2))
            as upsell_potential
    from unrounded
)

select * from final
