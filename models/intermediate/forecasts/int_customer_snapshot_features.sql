{#
    What a churn model may learn from, for every snapshot date of this run: the scores each
    customer had at that date before any churn probability was chosen. Computed snapshots come
    from the per-snapshot models; kept snapshots from the stored history, which holds the same
    columns as they were computed then (its rows are read by name, not through ref(), because
    the history is built from this model's descendants).
#}
-- depends_on: {{ ref('int_snapshot_dates') }}
{%- set history = adapter.get_relation(
    database=target.database, schema=target.schema,
    identifier='customer360__customer_score_history') -%}
{%- set feature_columns = [
    'customer_segment', 'customer_tier', 'tenure_days', 'recency_days', 'frequency', 'monetary',
    'recency_score', 'frequency_score', 'monetary_score', 'rfm_composite_score',
    'customer_health_score', 'days_since_last_activity', 'revenue_12m',
    'churn_probability_configured',
] %}

with

customers as (
    select
        customer_id,
        snapshot_date,
        tenure_days
    from {{ ref('int_customer_snapshots') }}
),

tiered as (
    select * from {{ ref('int_customer_snapshots_tiered') }}
),

rfm as (
    select * from {{ ref('int_customer_snapshots_rfm_scored') }}
),

health as (
    select * from {{ ref('int_customer_snapshots_health_scored') }}
),

touchpoints as (
    select * from {{ ref('int_customer_snapshots_touchpoints_summarised') }}
),

configured as (
    select * from {{ ref('int_customer_snapshots_churn_configured') }}
),

computed as (
    select
        customers.customer_id,
        customers.snapshot_date,
        tiered.customer_segment,
        tiered.customer_tier,
        cast(customers.tenure_days as {{ dbt.type_bigint() }}) as tenure_days,
        cast(rfm.recency_days as {{ dbt.type_bigint() }}) as recency_days,
        rfm.frequency,
        cast(rfm.monetary as decimal(18, 2)) as monetary,
        rfm.recency_score,
        rfm.frequency_score,
        rfm.monetary_score,
        rfm.rfm_composite_score,
        health.customer_health_score,
        cast(touchpoints.days_since_last_activity as {{ dbt.type_bigint() }}) as days_since_last_activity,
        cast(tiered.revenue_12m as decimal(18, 2)) as revenue_12m,
        configured.churn_probability_configured,
        true as is_computed
    from customers
    inner join tiered
        on customers.customer_id = tiered.customer_id
            and customers.snapshot_date = tiered.snapshot_date
    inner join rfm
        on customers.customer_id = rfm.customer_id
            and customers.snapshot_date = rfm.snapshot_date
    inner join health
        on customers.customer_id = health.customer_id
            and customers.snapshot_date = health.snapshot_date
    inner join touchpoints
        on customers.customer_id = touchpoints.customer_id
            and customers.snapshot_date = touchpoints.snapshot_date
    inner join configured
        on customers.customer_id = configured.customer_id
            and customers.snapshot_date = configured.snapshot_date
),

{% if history is not none -%}
    snapshot_dates as (
        select
            snapshot_date,
            is_computed
        from {{ ref('int_snapshot_dates') }}
    ),

    kept as (
        select
            history.customer_id,
            history.snapshot_date,
            {% for column in feature_columns -%}
                history.{{ column }},
            {% endfor -%}
            false as is_computed
        from {{ history }} as history
        inner join snapshot_dates
            on history.snapshot_date = snapshot_dates.snapshot_date
        where not snapshot_dates.is_computed
    ),
{%- endif %}

final as (
    select * from computed
    {% if history is not none -%}
        union all
        select * from kept
    {%- endif %}
)

select * from final
