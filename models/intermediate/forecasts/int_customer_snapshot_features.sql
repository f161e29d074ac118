{#
    What a churn model may learn from, for every snapshot date of this run: the scores each
    customer had at that date before any churn probability was chosen, from the chain of
    per-snapshot rules up to the configured churn formula.
    Kept, like the history: a build writes the snapshots it computes (replacing any stored rows
    of those dates) and removes dates that left the range, so a monthly rebuild writes one
    snapshot, not every customer of every snapshot again. On a first build, or with
    --full-refresh, the snapshots the history keeps are taken from the stored history, which
    holds these columns as they were computed then (read by name, not through ref(), because
    the history is built from this model's descendants). A test checks that the features hold
    every snapshot date of the run.
#}
{{
    config(
        materialized='incremental',
        unique_key='snapshot_date',
        incremental_strategy=c360_replace_by_key_strategy(),
        partition_by=c360_replace_by_key_partitions('snapshot_date'),
        on_schema_change='sync_all_columns',
        pre_hook="{{ c360_delete_stale_snapshots() }}",
    )
}}
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
{%- set read_kept_from_history = history is not none and not is_incremental() %}

with

computed as (
    select
        customer_id,
        snapshot_date,
        {{ feature_columns | join(',\n        ') }}
    from {{ ref('int_customer_snapshots_churn_configured') }}
),

{% if read_kept_from_history -%}
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
            history.{{ feature_columns | join(',\n            history.') }}
        from {{ history }} as history
        inner join snapshot_dates
            on history.snapshot_date = snapshot_dates.snapshot_date
        where not snapshot_dates.is_computed
    ),
{%- endif %}

final as (
    select * from computed
    {% if read_kept_from_history -%}
        union all
        select * from kept
    {%- endif %}
)

select * from final
