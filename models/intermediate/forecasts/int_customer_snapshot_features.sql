{#
    What a churn model may learn from, for every snapshot date of this run: the scores each
    customer had at that date before any churn probability was chosen. Computed snapshots come
    from the chain of per-snapshot rules, up to the configured churn formula; kept snapshots from
    the stored history, which holds the same columns as they were computed then (its rows are
    read by name, not through ref(), because the history is built from this model's
    descendants).
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

computed as (
    select
        customer_id,
        snapshot_date,
        {% for column in feature_columns -%}
            {{ column }},
        {% endfor -%}
        true as is_computed
    from {{ ref('int_customer_snapshots_churn_configured') }}
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
