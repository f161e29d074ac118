{#
    Every customer's scores at each snapshot date (SPEC section 7): one row per
    (customer_id, snapshot_date), equal to the mart row a build with as_of_date = snapshot_date
    gives on the same raw files and vars. History is kept, not recomputed: each build inserts
    the snapshots int_snapshot_dates marks as computed (replacing any stored rows of those dates)
    and removes snapshot dates that left the range; --full-refresh recomputes everything.
    Each row names the scoring configuration and the input it was computed from.
#}
{{
    config(
        materialized='incremental',
        unique_key='snapshot_date',
        incremental_strategy=c360_replace_by_key_strategy(),
        partition_by=c360_replace_by_key_partitions('snapshot_date'),
        on_schema_change='append_new_columns',
        pre_hook="{{ c360_delete_stale_snapshots() }}",
    )
}}
{%- if execute -%}
    {%- do c360_log_history_plan() -%}
{%- endif %}

with

snapshot_dates as (
    select * from {{ ref('int_snapshot_dates') }}
    where is_computed
),

-- the end of the chain of per-snapshot rules: every rule's columns on one row
scored as (
    select * from {{ ref('int_customer_snapshots_engagement_model_recommended') }}
),

identities as (
    select
        customer_id,
        customer_name,
        industry,
        region,
        country_code
    from {{ ref('int_customers_accepted') }}
),

{% if target.type == 'duckdb' -%}
-- value forecasts: a Python model (pymc-marketing), on DuckDB only; NULL on Spark
    purchase_forecasts as (
        select * from {{ ref('int_customer_snapshots_purchase_forecast') }}
    ),
{%- endif %}

final as (
    select
        scored.customer_id,
        scored.snapshot_date,
        identities.customer_name,
        identities.industry,
        identities.region,
        identities.country_code,
        scored.account_owner_id,
        scored.signup_date,
        cast(scored.tenure_days as {{ dbt.type_bigint() }}) as tenure_days,
        scored.snapshot_date as as_of_date,

        cast(scored.lifetime_revenue as decimal(18, 2)) as lifetime_revenue,
        cast(scored.revenue_12m as decimal(18, 2)) as revenue_12m,
        cast(scored.transaction_count as {{ dbt.type_bigint() }}) as transaction_count,
        scored.first_transaction_date,
        scored.last_transaction_date,
        scored.avg_transaction_value,
        scored.expected_annual_revenue,
        scored.revenue_velocity_monthly,
        scored.estimated_customer_ltv,
        scored.upsell_potential,
        scored.risk_adjusted_value,
        scored.revenue_at_risk,

        scored.customer_tier,
        scored.portfolio_contribution_pct,
        scored.is_high_value_enterprise,
        scored.customer_segment,

        cast(scored.recency_days as {{ dbt.type_bigint() }}) as recency_days,
        scored.frequency,
        cast(scored.monetary as decimal(18, 2)) as monetary,
        scored.recency_score,
        scored.frequency_score,
        scored.monetary_score,
        scored.rfm_composite_score,
        scored.monetary_bias,
        scored.rfm_segment,

        cast(scored.days_since_last_activity as {{ dbt.type_bigint() }}) as days_since_last_activity,
        scored.customer_health_score,
        scored.health_weakest_component,
        scored.churn_probability,
        scored.churn_probability_configured,
        scored.churn_model_source,
        scored.churn_risk_tier,
        scored.value_stability,
        scored.lifecycle_stage,
        scored.recommended_engagement_model,

        scored.first_marketing_date,
        scored.first_sales_date,
        scored.first_support_date,
        cast(scored.marketing_to_sales_days as {{ dbt.type_bigint() }}) as marketing_to_sales_days,
        cast(scored.sales_to_support_days as {{ dbt.type_bigint() }}) as sales_to_support_days,
        scored.cross_stage_engagement_consistency,

        {% if target.type == 'duckdb' -%}
            purchase_forecasts.p_alive,
            purchase_forecasts.predicted_purchases_365d,
            purchase_forecasts.predicted_revenue_365d,
        {%- else -%}
            cast(null as double) as p_alive,
            cast(null as double) as predicted_purchases_365d,
            cast(null as double) as predicted_revenue_365d,
        {%- endif %}

        snapshot_dates.scoring_config_fingerprint,
        snapshot_dates.input_fingerprint
    from scored
    inner join identities
        on scored.customer_id = identities.customer_id
    inner join snapshot_dates
        on scored.snapshot_date = snapshot_dates.snapshot_date
    {% if target.type == 'duckdb' -%}
        left join purchase_forecasts
            on scored.customer_id = purchase_forecasts.customer_id
                and scored.snapshot_date = purchase_forecasts.snapshot_date
    {%- endif %}
)

select * from final
