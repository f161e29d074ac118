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

valued as (
    select * from {{ ref('int_customer_snapshots_valued') }}
),

assessed as (
    select * from {{ ref('int_customer_snapshots_assessed') }}
),

{% if target.type == 'duckdb' -%}
-- value forecasts: a Python model (pymc-marketing), on DuckDB only; NULL on Spark
purchase_forecasts as (
    select * from {{ ref('int_customer_snapshots_purchase_forecast') }}
),
{%- endif %}

final as (
    select
        valued.customer_id,
        valued.snapshot_date,
        valued.customer_name,
        valued.industry,
        valued.region,
        valued.country_code,
        valued.account_owner_id,
        valued.signup_date,
        valued.tenure_days,
        valued.snapshot_date as as_of_date,

        valued.lifetime_revenue,
        valued.revenue_12m,
        valued.transaction_count,
        valued.first_transaction_date,
        valued.last_transaction_date,
        valued.avg_transaction_value,
        valued.expected_annual_revenue,
        valued.revenue_velocity_monthly,
        valued.estimated_customer_ltv,
        valued.upsell_potential,
        valued.risk_adjusted_value,
        valued.revenue_at_risk,

        valued.customer_tier,
        valued.portfolio_contribution_pct,
        valued.is_high_value_enterprise,
        valued.customer_segment,

        valued.recency_days,
        valued.frequency,
        valued.monetary,
        valued.recency_score,
        valued.frequency_score,
        valued.monetary_score,
        valued.rfm_composite_score,
        valued.monetary_bias,
        valued.rfm_segment,

        assessed.days_since_last_activity,
        assessed.customer_health_score,
        assessed.health_weakest_component,
        assessed.churn_probability,
        assessed.churn_probability_configured,
        assessed.churn_model_source,
        assessed.churn_risk_tier,
        assessed.value_stability,
        assessed.lifecycle_stage,
        assessed.recommended_engagement_model,

        assessed.first_marketing_date,
        assessed.first_sales_date,
        assessed.first_support_date,
        assessed.marketing_to_sales_days,
        assessed.sales_to_support_days,
        assessed.cross_stage_engagement_consistency,

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
    from valued
    inner join assessed
        on valued.customer_id = assessed.customer_id
            and valued.snapshot_date = assessed.snapshot_date
    inner join snapshot_dates
        on valued.snapshot_date = snapshot_dates.snapshot_date
    {% if target.type == 'duckdb' -%}
    left join purchase_forecasts
        on valued.customer_id = purchase_forecasts.customer_id
            and valued.snapshot_date = purchase_forecasts.snapshot_date
    {%- endif %}
)

select * from final
