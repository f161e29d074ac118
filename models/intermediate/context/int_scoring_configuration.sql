{#
    The scoring configuration of this run, one row: the resolved scoring vars as JSON and a
    fingerprint of them and of the scoring seeds. Every history row carries the fingerprint, so
    a snapshot kept from an earlier build is recomputed when the rules changed.
#}
{%- set configuration_json = tojson(c360_scoring_configuration(), sort_keys=true) -%}
{#- The rules themselves: the code of the models that compute a snapshot (dbt's graph holds the
    models' code, not the macros'), so that a new release of a rule recomputes the history too. -#}
{%- set code = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name
            and (node.original_file_path.startswith('models/staging/')
                or node.original_file_path.startswith('models/intermediate/')
                or node.name == 'customer360__customer_score_history') -%}
            {%- do code.append(node.unique_id ~ ':' ~ node.raw_code) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- set code_fingerprint = local_md5(code | join('\n')) -%}

with

fingerprints as (
    select
        {{ c360_table_fingerprint(ref('tier_thresholds'), ['customer_tier', 'min_revenue_12m']) }}
            as tier_thresholds_fingerprint,
        {{ c360_table_fingerprint(ref('rfm_segments'),
            ['recency_score', 'frequency_score', 'rfm_segment']) }} as rfm_segments_fingerprint,
        {{ c360_table_fingerprint(ref('engagement_model_decisions'),
            ['customer_segment', 'churn_risk_tier', 'health_band', 'recommended_engagement_model']) }}
            as engagement_model_decisions_fingerprint
),

final as (
    select
        md5(concat_ws(
            '|',
            '{{ configuration_json | replace("'", "''") }}',
            tier_thresholds_fingerprint,
            rfm_segments_fingerprint,
            engagement_model_decisions_fingerprint,
            '{{ code_fingerprint }}'
        )) as scoring_config_fingerprint,
        '{{ code_fingerprint }}' as scoring_code_fingerprint,
        '{{ configuration_json | replace("'", "''") }}' as scoring_config_json
    from fingerprints
)

select * from final
