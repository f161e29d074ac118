{#
    seeds/tier_thresholds.csv holds each of the five tiers exactly once, every bound is set, and
    the bounds increase strictly in the order Basic < Bronze < Silver < Gold < Platinum (the
    lowest, Basic's, catches everything below Bronze). One row per problem, with a sentence
    saying what to fix in the seed.
#}

with

tier_thresholds as (
    select
        customer_tier,
        min_revenue_12m
    from {{ ref('tier_thresholds') }}
),

expected_tiers as (
    select 'Basic' as customer_tier, 1 as tier_order
    union all
    select 'Bronze' as customer_tier, 2 as tier_order
    union all
    select 'Silver' as customer_tier, 3 as tier_order
    union all
    select 'Gold' as customer_tier, 4 as tier_order
    union all
    select 'Platinum' as customer_tier, 5 as tier_order
),

counted as (
    select
        expected_tiers.customer_tier,
        expected_tiers.tier_order,
        count(tier_thresholds.customer_tier) as rows_in_seed,
        min(tier_thresholds.min_revenue_12m) as min_revenue_12m
    from expected_tiers
    left join tier_thresholds
        on expected_tiers.customer_tier = tier_thresholds.customer_tier
    group by expected_tiers.customer_tier, expected_tiers.tier_order
),

not_once as (
    select
        customer_tier,
        'tier ' || customer_tier || ' appears ' || cast(rows_in_seed as {{ dbt.type_string() }})
        || ' times in seeds/tier_thresholds.csv; each of Basic, Bronze, Silver, Gold, Platinum'
        || ' must appear exactly once' as failure
    from counted
    where rows_in_seed != 1
),

missing_bounds as (
    select
        customer_tier,
        'tier ' || customer_tier || ' has no min_revenue_12m in seeds/tier_thresholds.csv'
            as failure
    from counted
    where rows_in_seed = 1 and min_revenue_12m is null
),

ordered as (
    select
        customer_tier,
        min_revenue_12m,
        lag(customer_tier) over (order by tier_order) as lower_tier,
        lag(min_revenue_12m) over (order by tier_order) as lower_min_revenue_12m
    from counted
    where rows_in_seed = 1 and min_revenue_12m is not null
),

not_increasing as (
    select
        customer_tier,
        'min_revenue_12m of ' || customer_tier || ' ('
        || cast(min_revenue_12m as {{ dbt.type_string() }}) || ') must be greater than that of '
        || lower_tier || ' (' || cast(lower_min_revenue_12m as {{ dbt.type_string() }})
        || ') in seeds/tier_thresholds.csv: bounds increase Basic < Bronze < Silver < Gold'
        || ' < Platinum' as failure
    from ordered
    where lower_tier is not null and min_revenue_12m <= lower_min_revenue_12m
),

final as (
    select * from not_once
    union all
    select * from missing_bounds
    union all
    select * from not_increasing
)

select * from final
