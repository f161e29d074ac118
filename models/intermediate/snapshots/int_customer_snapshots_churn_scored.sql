{#
    churn_probability per computed snapshot (SPEC sections 3 and 8). With var churn_model_source
    = 'fitted' (default) it is the fitted model's probability where that snapshot has one, else
    the configured formula's; 'configured' takes the formula everywhere. churn_model_source says
    which one each row got, churn_model_fallback_reason why the fitted one was missing.
    A warning in the dbt log names every snapshot that fell back and what was missing. On
    Spark the fitted model (Python, DuckDB only) does not exist: the formula is used.
#}
{%- set source = var('churn_model_source') -%}
{%- if source not in ['fitted', 'configured'] -%}
    {{ exceptions.raise_compiler_error("customer360: var churn_model_source must be 'fitted' or 'configured', got " ~ source) }}
{%- endif -%}
{%- set risk = c360_validated_cutoffs('churn_risk_cutoffs', ['medium', 'high'], 0, 1) -%}
{%- set use_fitted = source == 'fitted' and target.type == 'duckdb' -%}
{#- not in unit tests: there the fitted model is a fixture, not a table -#}
{%- if use_fitted and execute and model.resource_type == 'model' -%}
    {%- set fitted_relation = load_relation(ref('int_customer_snapshots_churn_fitted')) -%}
    {%- if fitted_relation is not none -%}
        {#- one warning: how many snapshots fell back, and what the latest of them lacked -#}
        {%- set fallbacks = run_query(
            "select count(distinct snapshot_date), min(snapshot_date), max(snapshot_date),"
            ~ " max(fallback_reason) filter (where snapshot_date = (select max(snapshot_date) from "
            ~ fitted_relation ~ " where fallback_reason is not null)) from " ~ fitted_relation
            ~ " where fallback_reason is not null") -%}
        {%- set row = fallbacks.rows[0] -%}
        {%- if row[0] > 0 -%}
            {%- do exceptions.warn("customer360: churn_model_source is 'fitted', but "
                ~ row[0] ~ " snapshot(s) from " ~ row[1] ~ " to " ~ row[2]
                ~ " use the configured churn formula: too little history before them (at "
                ~ row[2] ~ ": " ~ row[3] ~ ")") -%}
        {%- endif -%}
    {%- endif -%}
{%- endif %}

with

customers as (
    select * from {{ ref('int_customer_snapshots_churn_configured') }}
),

{% if use_fitted -%}
    fitted as (
        select
            customer_id,
            snapshot_date,
            churn_probability_fitted,
            fallback_reason
        from {{ ref('int_customer_snapshots_churn_fitted') }}
    ),

    chosen as (
        select
            customers.*,
            coalesce(fitted.churn_probability_fitted, customers.churn_probability_configured)
                as churn_probability,
            case
                when fitted.churn_probability_fitted is not null then 'fitted' else 'configured'
            end as churn_model_source,
            case
                when fitted.churn_probability_fitted is null
                    then coalesce(fitted.fallback_reason, 'no fitted probability for this customer')
            end as churn_model_fallback_reason
        from customers
        left join fitted
            on customers.customer_id = fitted.customer_id
                and customers.snapshot_date = fitted.snapshot_date
    ),
{%- else %}
    -- no fitted model: configured by the var, or an engine without Python models
    chosen as (
        select
            *,
            churn_probability_configured as churn_probability,
            'configured' as churn_model_source,
            {% if source == 'fitted' -%}
                'the fitted churn model runs on DuckDB only'
            {%- else -%}
                cast(null as {{ dbt.type_string() }})
            {%- endif %} as churn_model_fallback_reason
        from customers
    ),
{%- endif %}

final as (
    select
        *,
        case
            when churn_probability >= {{ risk.high }} then 'High'
            when churn_probability >= {{ risk.medium }} then 'Medium'
            else 'Low'
        end as churn_risk_tier
    from chosen
)

select * from final
