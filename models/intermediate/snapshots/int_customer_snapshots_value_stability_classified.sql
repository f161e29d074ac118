{#
    value_stability per snapshot from the coefficient of variation (CV) of monthly net revenue
    over the trailing 365 days. The window is cut into 12 buckets of equal length
    (bucket = floor(12 * days_before / 365)); the buckets that belong to the customer's history
    (those that reach signup_date, or hold a transaction) count, a bucket without revenue as 0,
    and months before signup_date do not count at all.
    CV = population standard deviation / mean of those buckets:
      Stable <= stable < Medium Stability <= medium < Low Stability <= low < Unstable;
      no positive mean (no net revenue in 12 months) is Unstable.
#}
{%- set cv_bounds = c360_validated_cutoffs(
    'value_stability_cv_bounds', ['stable', 'medium', 'low'], 0, none) -%}

with

customers as (
    select * from {{ ref('int_customer_snapshots_value_projected') }}
),

moments as (
    select
        *,
        cast(revenue_12m as double) / months_in_stability_window as mean_monthly_revenue,
        cast(sum_square_monthly_revenue as double) / months_in_stability_window
            as mean_square_monthly_revenue
    from customers
),

varied as (
    select
        *,
        -- a score (c360_round_score), so that a CV the buckets put exactly on a bound is on it:
        -- six months of 0.03 in twelve have CV 1, which floating point gives as
        -- 1.0000000000000002 (Low Stability, not Medium); in the 1M benchmark's history,
        -- 26,242 customer-snapshots with CV exactly 1 and 11,998 with CV exactly 2 fell above
        case
            when mean_monthly_revenue > 0
                then {{ c360_round_score(
                    'sqrt(greatest(mean_square_monthly_revenue'
                    ~ ' - mean_monthly_revenue * mean_monthly_revenue, 0)) / mean_monthly_revenue'
                ) }}
        end as coefficient_of_variation
    from moments
),

final as (
    select
        *,
        case
            when coefficient_of_variation is null then 'Unstable'
            when coefficient_of_variation <= {{ cv_bounds.stable }} then 'Stable'
            when coefficient_of_variation <= {{ cv_bounds.medium }} then 'Medium Stability'
            when coefficient_of_variation <= {{ cv_bounds.low }} then 'Low Stability'
            else 'Unstable'
        end as value_stability
    from varied
)

select * from final
