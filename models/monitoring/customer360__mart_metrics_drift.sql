{#
    Drift of the mart's headline figures, in the spirit of elementary's anomaly tests: for the
    latest build in customer360__mart_metrics_history and each metric of var `drift_metrics`,
    the z-score of its value against the previous var `drift_history_builds` builds made with the
    same command-line vars. See the doc block c360_mart_metrics_drift.
#}
{%- set metrics = var('drift_metrics') -%}

with

history as (
    select * from {{ ref('customer360__mart_metrics_history') }}
),

latest_sequence as (
    select max(build_sequence) as build_sequence from history
),

latest_build as (
    select history.*
    from history
    inner join latest_sequence
        on history.build_sequence = latest_sequence.build_sequence
),

comparable_builds as (
    -- a deliberate change of vars is a new baseline, not drift
    select
        earlier_builds.*,
        row_number() over (order by earlier_builds.build_sequence desc) as builds_back
    from history as earlier_builds
    inner join latest_build
        on earlier_builds.vars_fingerprint = latest_build.vars_fingerprint
    where earlier_builds.build_sequence < latest_build.build_sequence
),

previous_builds as (
    select * from comparable_builds
    where builds_back <= {{ var('drift_history_builds') }}
),

metric_values as (
    {% for metric in metrics -%}
        select
            '{{ metric }}' as metric_name,
            (select cast({{ metric }} as double) from latest_build) as current_value,
            avg(cast({{ metric }} as double)) as history_mean,
            stddev_samp(cast({{ metric }} as double)) as history_stddev,
            count({{ metric }}) as history_builds
        from previous_builds
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

scored as (
    select
        *,
        -- undefined without enough history or without variance in it
        case
            when history_builds >= {{ var('drift_min_history') }} and history_stddev > 0
                then (current_value - history_mean) / history_stddev
        end as z_score
    from metric_values
),

final as (
    select
        latest_build.build_key,
        latest_build.build_sequence,
        latest_build.as_of_date,
        scored.metric_name,
        scored.current_value,
        scored.history_mean,
        scored.history_stddev,
        scored.history_builds,
        scored.z_score,
        cast({{ var('drift_z_threshold') }} as double) as z_threshold,
        coalesce(abs(scored.z_score) > {{ var('drift_z_threshold') }}, false) as is_drifting
    from scored
    cross join latest_build
)

select * from final
