{#
    Every forecast of every evaluable snapshot beside what happened, ranked, one row per
    (snapshot_date, customer_segment, forecast, customer_id), each customer once under its
    segment and once under 'All'. The predictions are the history's, so each is the one made
    at its snapshot (point in time); the outcomes come from int_customer_snapshot_outcomes.
      churn forecasts    churn_probability (the model in use, fitted or configured) and
                         churn_probability_configured (the configured formula), on snapshots
                         evaluable for churn; outcome = 1 when the customer churned
      revenue forecasts  predicted_revenue_365d and estimated_customer_ltv, on snapshots
                         evaluable for revenue; outcome = realised_revenue_365d
    predicted_rank and outcome_rank are average ranks within the group (ties share the mean of
    their ranks), which the Mann-Whitney AUC and Spearman's rho need. calibration_bin is
    ntile(10) over the predicted value, ties broken by customer_id so bins are reproducible:
    ten equal-count bins (sizes differ by at most one). A forecast column the history does not
    declare (yet) gives no rows rather than a failed build.
#}
{%- set forecast_columns = [
    'churn_probability', 'churn_probability_configured', 'predicted_revenue_365d',
    'estimated_customer_ltv'] -%}
{#- the forecast columns the history's YAML declares (its contract); unit tests see no graph,
    and their history fixture has the columns the history has today (no purchase forecast yet) -#}
{%- set held = namespace(columns=forecast_columns | reject('equalto', 'predicted_revenue_365d') | list) -%}
{%- if execute and graph.get('nodes') -%}
    {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.name == 'customer360__customer_score_history' -%}
        {%- set held.columns = forecast_columns | select('in', node.columns.keys() | list) | list -%}
    {%- endfor -%}
{%- endif %}
{%- set forecast_selects = [] -%}
{%- for column in forecast_columns -%}
    {%- do forecast_selects.append(column if column in held.columns
        else 'cast(null as ' ~ dbt.type_float() ~ ') as ' ~ column) -%}
{%- endfor %}

with

history as (
    select
        customer_id,
        snapshot_date,
        customer_segment,
        {{ forecast_selects | join(',\n        ') }}
    from {{ ref('customer360__customer_score_history') }}
),

outcomes as (
    select
        customer_id,
        snapshot_date,
        is_churned,
        realised_revenue_365d,
        is_evaluable_churn,
        is_evaluable_revenue
    from {{ ref('int_customer_snapshot_outcomes') }}
),

observed as (
    select
        history.*,
        case when outcomes.is_churned then 1 else 0 end as churned,
        cast(outcomes.realised_revenue_365d as double) as realised_revenue_365d,
        outcomes.is_evaluable_churn,
        outcomes.is_evaluable_revenue
    from history
    inner join outcomes
        on history.customer_id = outcomes.customer_id
            and history.snapshot_date = outcomes.snapshot_date
    where outcomes.is_evaluable_churn or outcomes.is_evaluable_revenue
),

forecasts as (
    {% for forecast, evaluable, outcome in [
        ('churn_probability', 'is_evaluable_churn', 'churned'),
        ('churn_probability_configured', 'is_evaluable_churn', 'churned'),
        ('predicted_revenue_365d', 'is_evaluable_revenue', 'realised_revenue_365d'),
        ('estimated_customer_ltv', 'is_evaluable_revenue', 'realised_revenue_365d'),
    ] -%}
        select
            customer_id,
            snapshot_date,
            customer_segment,
            '{{ forecast }}' as forecast,
            cast({{ forecast }} as double) as predicted,
            cast({{ outcome }} as double) as outcome
        from observed
        where {{ evaluable }} and {{ forecast }} is not null
        {{ 'union all' if not loop.last }}
    {% endfor %}
),

segmented as (
    select * from forecasts
    union all
    select
        customer_id,
        snapshot_date,
        'All' as customer_segment,
        forecast,
        predicted,
        outcome
    from forecasts
),

final as (
    select
        snapshot_date,
        customer_segment,
        forecast,
        customer_id,
        predicted,
        outcome,
        rank() over (
            partition by snapshot_date, customer_segment, forecast order by predicted
        ) + (count(*) over (
            partition by snapshot_date, customer_segment, forecast, predicted
        ) - 1) / 2.0 as predicted_rank,
        rank() over (
            partition by snapshot_date, customer_segment, forecast order by outcome
        ) + (count(*) over (
            partition by snapshot_date, customer_segment, forecast, outcome
        ) - 1) / 2.0 as outcome_rank,
        ntile(10) over (
            partition by snapshot_date, customer_segment, forecast order by predicted, customer_id
        ) as calibration_bin
    from segmented
)

select * from final
