{#
    The snapshot dates of this run, each with the fingerprints of its scoring configuration and
    input, and whether this run computes it. History is kept, not recomputed: a snapshot already
    held by customer360__customer_score_history with the same fingerprints is not computed again.
    A snapshot is computed when it is new, when the scoring configuration (vars and seeds) or its
    input changed since it was stored, or on --full-refresh; compute_reason says which, and the
    history model logs it. Every per-customer model is keyed by (customer_id, snapshot_date) and
    holds the computed snapshots; the mart is the slice at as_of_date.
#}
{%- set history = adapter.get_relation(
    database=target.database, schema=target.schema,
    identifier='customer360__customer_score_history') -%}
{%- set reuse_history = history is not none and not flags.FULL_REFRESH -%}

with

requested as (
    select * from {{ ref('int_snapshot_dates_requested') }}
),

configuration as (
    select scoring_config_fingerprint from {{ ref('int_scoring_configuration') }}
),

inputs as (
    select * from {{ ref('int_snapshot_input_fingerprints') }}
),

{% if reuse_history -%}
    stored as (
        select
            snapshot_date,
            max(scoring_config_fingerprint) as scoring_config_fingerprint,
            max(input_fingerprint) as input_fingerprint
        from {{ history }}
        group by snapshot_date
    ),
{%- endif %}

fingerprinted as (
    select
        requested.snapshot_date,
        requested.months_before,
        requested.as_of_date,
        configuration.scoring_config_fingerprint,
        inputs.input_fingerprint,
        inputs.customers,
        {% if reuse_history -%}
            case
                -- a date before every signup holds no row, so there is nothing to keep
                when inputs.customers = 0 then null
                when stored.snapshot_date is null then 'new'
                when stored.scoring_config_fingerprint != configuration.scoring_config_fingerprint
                    then 'scoring configuration changed'
                when stored.input_fingerprint != inputs.input_fingerprint then 'input changed'
            end
        {%- else -%}
            {{ "'full refresh'" if history is not none else "'new'" }}
        {%- endif %} as compute_reason
    from requested
    cross join configuration
    inner join inputs
        on requested.snapshot_date = inputs.snapshot_date
    {% if reuse_history -%}
        left join stored
            on requested.snapshot_date = stored.snapshot_date
    {%- endif %}
),

final as (
    select
        *,
        compute_reason is not null as is_computed
    from fingerprinted
)

select * from final
