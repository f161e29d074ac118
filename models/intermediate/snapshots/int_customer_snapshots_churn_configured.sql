{#
    The configured churn formula per snapshot (var `churn_model`): a logistic of health, composite
    RFM and capped inactivity in years,
      1 / (1 + exp(-(intercept + health * (health_score - 3) + rfm_composite * (rfm - 3)
                     + inactivity_years * min(days_since_last_activity, cap) / 365)))
    with no touch at all counted as the cap. It stays available beside the fitted model
    (var `churn_model_source`) and is evaluated with it.
#}
{%- set churn = var('churn_model') -%}
{%- for key in ['intercept', 'health', 'rfm_composite', 'inactivity_years'] -%}
    {%- do c360_validated_number('churn_model.' ~ key, none, none, churn.get(key)) -%}
{%- endfor -%}
{%- set inactivity_cap = c360_validated_number('churn_inactivity_cap_days', 1) -%}

with

customers as (
    select * from {{ ref('int_customer_snapshots_health_scored') }}
),

final as (
    select
        *,
        1 / (1 + exp(-(
            {{ churn.intercept }}
            + {{ churn.health }} * (customer_health_score - 3)
            + {{ churn.rfm_composite }} * (rfm_component - 3)
            -- inactivity in years, capped; no touch at all counts as the cap
            + {{ churn.inactivity_years }} * (
                cast(
                    least(coalesce(days_since_last_activity, {{ inactivity_cap }}), {{ inactivity_cap }})
                    as double
                ) / 365
            )
        ))) as churn_probability_configured
    from customers
)

select * from final
