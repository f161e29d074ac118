{#
    Which churn model scored each computed snapshot, and on what it was trained: one row per
    snapshot_date. churn_model_source is the one most of its customers got (fitted, or the
    configured formula where the history was too short, with the reason). The training
    window and counts come from the fitted model; on Spark (no Python models) they are NULL.
#}

with

scored as (
    select
        snapshot_date,
        churn_model_source,
        churn_model_fallback_reason
    from {{ ref('int_customer_snapshots_churn_scored') }}
),

fitted as (
    {% if target.type == 'duckdb' -%}
        select
            snapshot_date,
            min(training_first_snapshot_date) as training_first_snapshot_date,
            min(training_last_snapshot_date) as training_last_snapshot_date,
            min(calibration_snapshot_date) as calibration_snapshot_date,
            min(training_snapshots) as training_snapshots,
            min(training_rows) as training_rows,
            min(training_churn_events) as training_churn_events
        from {{ ref('int_customer_snapshots_churn_fitted') }}
        group by snapshot_date
    {%- else -%}
        -- no Python models on this engine: no fit, no training window
        select
            snapshot_date,
            cast(null as date) as training_first_snapshot_date,
            cast(null as date) as training_last_snapshot_date,
            cast(null as date) as calibration_snapshot_date,
            cast(null as {{ dbt.type_bigint() }}) as training_snapshots,
            cast(null as {{ dbt.type_bigint() }}) as training_rows,
            cast(null as {{ dbt.type_bigint() }}) as training_churn_events
        from scored
        group by snapshot_date
    {%- endif %}
),

by_snapshot as (
    select
        snapshot_date,
        count(*) as customers,
        sum(case when churn_model_source = 'fitted' then 1 else 0 end) as fitted_customers,
        min(churn_model_fallback_reason) as fallback_reason
    from scored
    group by snapshot_date
),

final as (
    select
        by_snapshot.snapshot_date,
        case
            when by_snapshot.fitted_customers * 2 > by_snapshot.customers then 'fitted' else 'configured'
        end as churn_model_source,
        by_snapshot.customers,
        by_snapshot.fitted_customers,
        fitted.training_first_snapshot_date,
        fitted.training_last_snapshot_date,
        fitted.calibration_snapshot_date,
        fitted.training_snapshots,
        fitted.training_rows,
        fitted.training_churn_events,
        by_snapshot.fallback_reason
    from by_snapshot
    left join fitted
        on by_snapshot.snapshot_date = fitted.snapshot_date
)

select * from final
