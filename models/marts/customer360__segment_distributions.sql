{#
    How each segment's customers spread over lifecycle stage, engagement model, value stability
    and churn risk tier: one row per (dimension, segment, value), the 'All' segment included.
    share_of_segment sums to 1 within each (dimension, segment).
#}
{%- set dimensions = ['lifecycle_stage', 'recommended_engagement_model', 'value_stability',
                      'churn_risk_tier'] -%}

with

customers as (
    select * from {{ ref('customer360__customer_value_analysis') }}
),

{% for dimension in dimensions -%}
    by_{{ dimension }} as (
        select
            '{{ dimension }}' as dimension,
            customer_segment,
            {{ dimension }} as dimension_value,
            revenue_12m,
            estimated_customer_ltv,
            revenue_at_risk
        from customers
        union all
        select
            '{{ dimension }}' as dimension,
            'All' as customer_segment,
            {{ dimension }} as dimension_value,
            revenue_12m,
            estimated_customer_ltv,
            revenue_at_risk
        from customers
    ),

{% endfor -%}

unioned as (
    {% for dimension in dimensions -%}
        select * from by_{{ dimension }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

counted as (
    select
        dimension,
        customer_segment,
        dimension_value,
        count(*) as customers,
        sum(revenue_12m) as revenue_12m,
        {{ c360_exact_mean('estimated_customer_ltv') }} as mean_estimated_customer_ltv,
        sum(revenue_at_risk) as revenue_at_risk
    from unioned
    group by dimension, customer_segment, dimension_value
),

final as (
    select
        dimension,
        customer_segment,
        dimension_value,
        customers,
        1.0 * customers / sum(customers) over (partition by dimension, customer_segment)
            as share_of_segment,
        cast(revenue_12m as decimal(18, 2)) as revenue_12m,
        mean_estimated_customer_ltv,
        cast(revenue_at_risk as decimal(18, 2)) as revenue_at_risk
    from counted
)

select * from final
