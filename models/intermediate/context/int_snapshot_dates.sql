{#
    The snapshot dates of this run, each with the fingerprints of its scoring configuration and
    input, and whether this run computes it. History is kept, not recomputed: a snapshot already
    held by customer360__customer_score_history with the same fingerprints is not computed again.
    A snapshot is computed when it is new, when the scoring configuration (vars and seeds) or its
    input changed since it was stored, or on --full-refresh; compute_reason says which, and the
    history model logs it. Every per-customer model is keyed by (customer_id, snapshot_date) and
    holds the computed snapshots; the mart is the slice at as_of_date.
    What happened after a snapshot (int_customer_snapshot_outcomes) and how well its forecasts
    did (int_customer_snapshot_forecasts_binned) are kept too: is_outcome_computed says which
    snapshots this run judges again. An outcome of T reads the accepted transactions in T's
    churn horizon and revenue year, each NULL until its window has passed, so it changes only
    when T is computed, when a window has just passed (the stored evaluability differs from the
    one as_of_date gives now), or when rows dated in a passed window changed. A changed row
    dated by the latest kept snapshot changes the fingerprint of the first snapshot on or after
    it, which is then computed and lies within a month of the row; a row dated after the latest
    kept snapshot is seen by no kept fingerprint. So T is also judged again when a snapshot
    computed this run lies after T, by that kept snapshot and within T's window and a month, or
    when a passed window of T ends after that kept snapshot. A monthly rebuild thus judges the
    new month and the snapshots whose windows it closes, not every snapshot whose window it
    touches.
#}
{%- set history = adapter.get_relation(
    database=target.database, schema=target.schema,
    identifier='customer360__customer_score_history') -%}
{%- set reuse_history = history is not none and not flags.FULL_REFRESH -%}
{%- set outcomes = adapter.get_relation(
    database=target.database, schema=generate_schema_name('intermediate', none),
    identifier='int_customer_snapshot_outcomes') -%}
{%- set reuse_outcomes = reuse_history and outcomes is not none -%}
{%- set horizon_days = c360_validated_whole_number('churn_horizon_days', 1, 36500) -%}
{%- set followed_days = [horizon_days, 365] | max -%}

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

{% if reuse_outcomes -%}
    stored_outcomes as (
        select
            snapshot_date,
            min(case when is_evaluable_churn then 1 else 0 end) = 1 as is_evaluable_churn,
            min(case when is_evaluable_revenue then 1 else 0 end) = 1 as is_evaluable_revenue
        from {{ outcomes }}
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

computed as (
    select
        *,
        compute_reason is not null as is_computed
    from fingerprinted
),

{% if reuse_outcomes -%}
    -- the latest snapshot kept with its stored fingerprints: a changed row dated by it shows
    -- as a computed snapshot, one dated after it shows in no kept fingerprint
    -- (a run that keeps none computes every snapshot that has customers)
    kept as (
        select coalesce(max(snapshot_date), cast('9999-12-31' as date)) as kept_until_date
        from computed
        where not is_computed and customers > 0
    ),
{%- endif %}

final as (
    select
        computed.*,
        {% if reuse_outcomes -%}
            computed.is_computed
            or stored_outcomes.snapshot_date is null
            or stored_outcomes.is_evaluable_churn
            != ({{ dbt.dateadd('day', horizon_days, 'computed.snapshot_date') }} <= computed.as_of_date)
            or stored_outcomes.is_evaluable_revenue
            != ({{ dbt.dateadd('day', 365, 'computed.snapshot_date') }} <= computed.as_of_date)
            or exists (
                select 1 from computed as later
                where later.is_computed
                    and later.snapshot_date > computed.snapshot_date
                    and later.snapshot_date <= kept.kept_until_date
                    and later.snapshot_date
                    <= {{ dbt.dateadd('day', followed_days + 31, 'computed.snapshot_date') }}
            )
            or (
                {{ dbt.dateadd('day', horizon_days, 'computed.snapshot_date') }} > kept.kept_until_date
                and {{ dbt.dateadd('day', horizon_days, 'computed.snapshot_date') }} <= computed.as_of_date
            )
            or (
                {{ dbt.dateadd('day', 365, 'computed.snapshot_date') }} > kept.kept_until_date
                and {{ dbt.dateadd('day', 365, 'computed.snapshot_date') }} <= computed.as_of_date
            )
        {%- else -%}
            true
        {%- endif %} as is_outcome_computed
    from computed
    {% if reuse_outcomes -%}
        cross join kept
        left join stored_outcomes
            on computed.snapshot_date = stored_outcomes.snapshot_date
    {%- endif %}
)

select * from final
