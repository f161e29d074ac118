{{ config(severity='warn') }}
{#
    SPEC section 8: churn is fitted and judged only on snapshots whose churn horizon has ended
    by as_of_date. When none has (churn_horizon_days longer than history_months allows, as with
    the snapshot mart's history_months 0), the churn model falls back to the configured formula
    for every customer. One row that names both vars, not one row per customer.
#}
{%- set horizon_days = c360_validated_whole_number('churn_horizon_days', 1, 36500) -%}
{%- set history_months = c360_validated_whole_number('history_months', 0, 600) -%}

with

outcomes as (
    select is_evaluable_churn from {{ ref('int_customer_snapshot_outcomes') }}
),

final as (
    select
        {{ horizon_days }} as churn_horizon_days,
        {{ history_months }} as history_months,
        'no snapshot''s churn horizon (churn_horizon_days = {{ horizon_days }}) has ended by'
        || ' as_of_date within history_months = {{ history_months }}: churn cannot be fitted'
        || ' or evaluated and churn_probability is the configured formula; raise'
        || ' history_months or shorten churn_horizon_days' as failure
    from outcomes
    having sum(case when is_evaluable_churn then 1 else 0 end) = 0
        or count(*) = 0
)

select * from final
