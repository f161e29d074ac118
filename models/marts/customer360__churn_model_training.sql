{#
    Which churn model scored each computed snapshot, and on what it was trained: one row per
    snapshot_date. churn_model_source is the one most of its customers got (fitted, or the
    configured formula where the history was too short, with the reason; the formula everywhere
    when var churn_model_source is 'configured'), as int_customer_snapshots_churn_scored chooses
    it. The training window and counts come from the fitted model; on Spark (no Python models)
    they are NULL.
#}
{%- set use_fitted = var('churn_model_source') == 'fitted' -%}

with

fitted as (
    {% if target.type == 'duckdb' -%}
        select * from {{ ref('int_customer_snapshots_churn_fitted') }}
    {%- else -%}
        -- no Python models on this engine: no fit, no training window
        select
            snapshot_date,
            cast(null as {{ dbt.type_float() }}) as churn_probability_fitted,
            'the fitted churn model runs on DuckDB only' as fallback_reason,
            cast(null as date) as training_first_snapshot_date,
            cast(null as date) as training_last_snapshot_date,
            cast(null as date) as calibration_snapshot_date,
            cast(null as {{ dbt.type_bigint() }}) as training_snapshots,
            cast(null as {{ dbt.type_bigint() }}) as training_rows,
            cast(null as {{ dbt.type_bigint() }}) as training_churn_events
        from {{ ref('int_customer_snapshots') }}
    {%- endif %}
),

by_snapshot as (
    select
        snapshot_date,
        count(*) as customers,
        {% if use_fitted -%}
            count(churn_probability_fitted) as fitted_customers,
            min(case
                when churn_probability_fitted is null
                    then coalesce(fallback_reason, 'no fitted probability for this customer')
            end) as fallback_reason,
        {%- else -%}
            0 as fitted_customers,
            cast(null as {{ dbt.type_string() }}) as fallback_reason,
        {%- endif %}
        min(training_first_snapshot_date) as training_first_snapshot_date,
        min(training_last_snapshot_date) as training_last_snapshot_date,
        min(calibration_snapshot_date) as calibration_snapshot_date,
        min(training_snapshots) as training_snapshots,
        min(training_rows) as training_rows,
        min(training_churn_events) as training_churn_events
    from fitted
    group by snapshot_date
),

final as (
    select
        snapshot_date,
        case when fitted_customers * 2 > customers then 'fitted' else 'configured' end
            as churn_model_source,
        customers,
        fitted_customers,
        training_first_snapshot_date,
        training_last_snapshot_date,
        calibration_snapshot_date,
        training_snapshots,
        training_rows,
        training_churn_events,
        fallback_reason
    from by_snapshot
)

select * from final
