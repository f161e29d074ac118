{#
    The watchlist (SPEC section 7): one row per customer and rule of seeds/watchlist_rules.csv
    that fires at as_of_date, with its severity, route and reason. A rule's rows are its
    conditions: it fires when any enabled row for the customer's segment (or 'all') holds.
    The seed is validated when it loads (c360_validate_watchlist_rules).
#}
{%- set top_pct = c360_validated_number('smb_human_route_top_pct', 0, 100) -%}
{%- set metrics = c360_watchlist_metrics() -%}
{%- set reason_fields = c360_watchlist_reason_fields() -%}
{#- The funnel SLA waits come from int_customer_funnel_sla, the other metrics from the mart. -#}
{%- set metric_columns = {} -%}
{%- for metric, kind in metrics.items() -%}
    {%- set column = ('funnel_sla.' if metric.endswith('_wait_days') else 'customers.') ~ metric -%}
    {%- if kind == 'boolean' -%}
        {%- set column = 'case when ' ~ column ~ ' then 1 when not ' ~ column ~ ' then 0 end' -%}
    {%- endif -%}
    {%- do metric_columns.update({metric: column}) -%}
{%- endfor -%}

with

customers as (
    select * from {{ ref('customer360__customer_value_analysis') }}
),

funnel_sla as (
    select * from {{ ref('int_customer_funnel_sla') }}
),

watchlist_rules as (
    select * from {{ ref('watchlist_rules') }}
),

enabled_conditions as (
    select
        rule_id,
        customer_segment,
        metric,
        comparison,
        cast(threshold as double) as threshold,
        severity,
        reason_template
    from watchlist_rules
    where lower(trim(is_enabled)) = 'true'
),

customer_metrics as (
    -- every metric a rule may test, as a double (a boolean as 1 or 0)
    select
        {% for metric, column in metric_columns.items() -%}
            cast({{ column }} as double) as {{ metric }},
        {% endfor -%}
        customers.customer_id,
        customers.customer_segment
    from customers
    left join funnel_sla on customers.customer_id = funnel_sla.customer_id
),

evaluated as (
    select
        customer_metrics.*,
        enabled_conditions.rule_id,
        enabled_conditions.metric,
        enabled_conditions.comparison,
        enabled_conditions.threshold,
        enabled_conditions.severity,
        enabled_conditions.reason_template,
        case enabled_conditions.metric
            {% for metric in metrics -%}
                when '{{ metric }}' then customer_metrics.{{ metric }}
            {% endfor -%}
        end as metric_value
    from customer_metrics
    inner join enabled_conditions
        on enabled_conditions.customer_segment in ('all', customer_metrics.customer_segment)
),

fired_conditions as (
    select
        *,
        {% for field in reason_fields -%}
            {{ c360_format_number(field) }} as {{ field }}_text,
        {% endfor -%}
        {{ c360_format_number('metric_value') }} as value_text,
        {{ c360_format_number('threshold') }} as threshold_text
    from evaluated
    where
        case comparison
            {% for comparison in c360_watchlist_comparisons() -%}
                when '{{ comparison }}' then metric_value {{ comparison }} threshold
            {% endfor -%}
        end
),

condition_reasons as (
    select
        customer_id,
        rule_id,
        severity,
        metric,
        {%- set sentence = namespace(sql="replace(replace(reason_template, '{value}', value_text), "
            ~ "'{threshold}', threshold_text)") -%}
        {%- for field in reason_fields -%}
            {%- set sentence.sql = "replace(" ~ sentence.sql ~ ", '{" ~ field ~ "}', " ~ field ~ "_text)" -%}
        {%- endfor %}
        {{ sentence.sql }} as condition_reason
    from fired_conditions
),

fired_rules as (
    select
        customer_id,
        rule_id,
        severity,
        {{ c360_sorted_string_agg('condition_reason', "'; '") }} as reason
    from condition_reasons
    group by customer_id, rule_id, severity
),

smb_revenue_ranks as (
    -- Customers tied on expected_annual_revenue count each other as "at or above", so they
    -- share a route and the human share never exceeds smb_human_route_top_pct.
    select
        customer_id,
        count(*) over (order by expected_annual_revenue desc) as smb_customers_at_or_above,
        count(*) over () as smb_customers
    from customers
    where customer_segment = 'SMB'
),

final as (
    select
        customers.customer_id,
        customers.customer_name,
        customers.account_owner_id,
        customers.customer_segment,
        fired_rules.rule_id,
        fired_rules.severity,
        case
            when customers.customer_segment in ('High-Value Enterprise', 'Enterprise') then 'human'
            when
                smb_revenue_ranks.smb_customers_at_or_above * 100.0
                <= {{ top_pct }} * smb_revenue_ranks.smb_customers
                then 'human'
            else 'automated'
        end as route,
        fired_rules.reason,
        customers.customer_tier,
        customers.expected_annual_revenue,
        customers.churn_probability,
        customers.recommended_engagement_model,
        customers.as_of_date
    from fired_rules
    inner join customers on fired_rules.customer_id = customers.customer_id
    left join smb_revenue_ranks on fired_rules.customer_id = smb_revenue_ranks.customer_id
)

select * from final
