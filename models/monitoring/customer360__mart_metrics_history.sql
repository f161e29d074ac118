{#
    One row per distinct build of the mart: its headline figures, kept across builds so that
    customer360__mart_metrics_drift can compare the latest build with its own recent history.

    The key is derived from what was built, never from the wall clock: the analysis date, a
    fingerprint of the inputs and the mart (row counts per source table and exact decimal and
    integer totals), and a fingerprint of the command-line vars. Re-running the same build
    replaces its row rather than adding a duplicate point that would shrink the history's
    variance; the row moves to the end of the sequence as the latest build.
#}
{{
    config(
        materialized='incremental',
        unique_key='build_key',
        incremental_strategy=c360_replace_by_key_strategy(),
        partition_by=c360_replace_by_key_partitions('build_key'),
        on_schema_change='append_new_columns',
    )
}}

{%- set cli_vars = invocation_args_dict.get('vars') or {} -%}
{%- if cli_vars is string -%}{%- set cli_vars = fromyaml(cli_vars) or {} -%}{%- endif -%}
{#- as_of_date is a key column of its own; monitoring knobs do not change the mart. -#}
{%- set mart_vars = {} -%}
{%- for name, value in cli_vars.items() -%}
    {%- if name != 'as_of_date' and not name.startswith('drift_')
        and not name.startswith('rejected_') -%}
        {%- do mart_vars.update({name: value}) -%}
    {%- endif -%}
{%- endfor -%}
{%- set vars_json = tojson(mart_vars, sort_keys=true) -%}

with

customers as (
    select * from {{ ref('customer360__customer_value_analysis') }}
),

source_quality as (
    select * from {{ ref('customer360__source_quality') }}
),

-- the build's date even when the mart holds no customer
as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

{% if is_incremental() -%}
    previous_builds as (
        select max(build_sequence) as last_build_sequence from {{ this }}
    ),

{% endif -%}

-- totals are 0 and means NULL for a mart without customers, so its key is still defined
mart_figures as (
    select
        count(*) as customers,
        cast(
            coalesce(sum(case when is_high_value_enterprise then 1 else 0 end), 0)
            as {{ dbt.type_bigint() }}
        ) as hve_customers,
        -- means from exact sums (c360_exact_mean), so the same mart gives the same figures
        {{ c360_exact_mean('customer_health_score') }} as mean_customer_health_score,
        {{ c360_exact_mean('churn_probability') }} as mean_churn_probability,
        {{ c360_exact_mean('estimated_customer_ltv') }} as mean_estimated_customer_ltv,
        coalesce(sum(revenue_12m), 0) as revenue_12m,
        coalesce(sum(expected_annual_revenue), 0) as expected_annual_revenue,
        coalesce(sum(revenue_at_risk), 0) as revenue_at_risk,
        -- exact totals for the fingerprint: decimals and integers sum the same in any order,
        -- unlike doubles, so an identical build always gets an identical key
        coalesce(sum(lifetime_revenue), 0) as lifetime_revenue,
        coalesce(sum(estimated_customer_ltv), 0) as estimated_customer_ltv,
        coalesce(sum(recency_score + frequency_score + monetary_score), 0) as rfm_score_total,
        coalesce(sum(cast(round(customer_health_score * 1000000) as bigint)), 0)
            as health_micro_total,
        coalesce(sum(cast(round(churn_probability * 1000000) as bigint)), 0)
            as churn_micro_total
    from customers
),

source_figures as (
    select
        cast(sum(rows_read) as {{ dbt.type_bigint() }}) as rows_read,
        cast(sum(rows_rejected) as {{ dbt.type_bigint() }}) as rows_rejected,
        cast(sum(rows_invalid) as {{ dbt.type_bigint() }}) as rows_invalid,
        {{ dbt.listagg(
            "source_table || ':' || cast(rows_read as " ~ dbt.type_string() ~ ") || ':' || "
            ~ "cast(rows_rejected as " ~ dbt.type_string() ~ ")",
            "','",
            "order by source_table") }} as source_counts
    from source_quality
),

fingerprinted as (
    select
        as_of.as_of_date,
        mart_figures.*,
        source_figures.rows_read,
        source_figures.rows_rejected,
        source_figures.rows_invalid,
        {{ dbt.hash(dbt.concat([
            'source_figures.source_counts', "'|'",
            'cast(mart_figures.customers as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(mart_figures.hve_customers as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(mart_figures.lifetime_revenue as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(mart_figures.revenue_12m as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(mart_figures.expected_annual_revenue as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(mart_figures.estimated_customer_ltv as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(mart_figures.revenue_at_risk as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(mart_figures.rfm_score_total as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(mart_figures.health_micro_total as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(mart_figures.churn_micro_total as ' ~ dbt.type_string() ~ ')',
        ])) }} as data_fingerprint,
        {{ dbt.hash(dbt.string_literal(vars_json)) }} as vars_fingerprint
    from mart_figures
    cross join source_figures
    cross join as_of
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'cast(as_of_date as ' ~ dbt.type_string() ~ ')', "'|'",
            'data_fingerprint', "'|'",
            'vars_fingerprint',
        ])) }} as build_key,
        as_of_date,
        {% if is_incremental() -%}
            coalesce(previous_builds.last_build_sequence, 0) + 1
        {%- else -%}
            1
        {%- endif %} as build_sequence,
        data_fingerprint,
        vars_fingerprint,
        customers,
        hve_customers,
        1.0 * hve_customers / nullif(customers, 0) as hve_share,
        mean_customer_health_score,
        mean_churn_probability,
        mean_estimated_customer_ltv,
        revenue_12m,
        expected_annual_revenue,
        revenue_at_risk,
        cast(revenue_at_risk as double)
        / nullif(cast(expected_annual_revenue as double), 0) as revenue_at_risk_share,
        rows_read,
        rows_rejected,
        rows_invalid,
        1.0 * rows_invalid / nullif(rows_read, 0) as invalid_share
    from fingerprinted
    {% if is_incremental() -%}
        cross join previous_builds
    {%- endif %}
)

select * from final
