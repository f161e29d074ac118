{#
    seeds/engagement_model_decisions.csv holds exactly one row for each of the 27 combinations
    of customer_segment (High-Value Enterprise, Enterprise, SMB), churn_risk_tier (Low, Medium,
    High) and health_band (Low, Medium, High), so that every customer gets a recommended
    engagement model. One row per combination that is missing or repeated.
#}

with

decisions as (
    select
        customer_segment,
        churn_risk_tier,
        health_band
    from {{ ref('engagement_model_decisions') }}
),

segments as (
    select 'High-Value Enterprise' as customer_segment
    union all
    select 'Enterprise' as customer_segment
    union all
    select 'SMB' as customer_segment
),

levels as (
    select 'Low' as level_name
    union all
    select 'Medium' as level_name
    union all
    select 'High' as level_name
),

expected_combinations as (
    select
        segments.customer_segment,
        risk_tiers.level_name as churn_risk_tier,
        health_bands.level_name as health_band
    from segments
    cross join levels as risk_tiers
    cross join levels as health_bands
),

counted as (
    select
        expected_combinations.customer_segment,
        expected_combinations.churn_risk_tier,
        expected_combinations.health_band,
        count(decisions.customer_segment) as rows_in_seed
    from expected_combinations
    left join decisions
        on expected_combinations.customer_segment = decisions.customer_segment
            and expected_combinations.churn_risk_tier = decisions.churn_risk_tier
            and expected_combinations.health_band = decisions.health_band
    group by
        expected_combinations.customer_segment,
        expected_combinations.churn_risk_tier,
        expected_combinations.health_band
),

final as (
    select
        customer_segment,
        churn_risk_tier,
        health_band,
        rows_in_seed,
        '(' || customer_segment || ', churn risk ' || churn_risk_tier || ', health '
        || health_band || ') appears ' || cast(rows_in_seed as {{ dbt.type_string() }})
        || ' times in seeds/engagement_model_decisions.csv; each of the 27 combinations must'
        || ' appear exactly once' as failure
    from counted
    where rows_in_seed != 1
)

select * from final
