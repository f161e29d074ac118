{#
    The metrics a watchlist rule (seeds/watchlist_rules.csv) may test: mart columns of
    customer360__customer_value_analysis, plus the funnel SLA waits of int_customer_funnel_sla.
    Name -> kind: a `boolean` metric is compared as 1 (true) or 0 (false).
#}
{% macro c360_watchlist_metrics() %}
    {{ return({
        'tenure_days': 'number',
        'lifetime_revenue': 'number',
        'revenue_12m': 'number',
        'transaction_count': 'number',
        'avg_transaction_value': 'number',
        'expected_annual_revenue': 'number',
        'revenue_velocity_monthly': 'number',
        'estimated_customer_ltv': 'number',
        'upsell_potential': 'number',
        'risk_adjusted_value': 'number',
        'revenue_at_risk': 'number',
        'portfolio_contribution_pct': 'number',
        'is_high_value_enterprise': 'boolean',
        'recency_days': 'number',
        'frequency': 'number',
        'monetary': 'number',
        'recency_score': 'number',
        'frequency_score': 'number',
        'monetary_score': 'number',
        'rfm_composite_score': 'number',
        'monetary_bias': 'number',
        'days_since_last_activity': 'number',
        'customer_health_score': 'number',
        'churn_probability': 'number',
        'marketing_to_sales_days': 'number',
        'sales_to_support_days': 'number',
        'cross_stage_engagement_consistency': 'number',
        'health_score_change_3m': 'number',
        'churn_probability_change_3m': 'number',
        'rfm_composite_change_3m': 'number',
        'recency_score_change_1m': 'number',
        'frequency_score_change_1m': 'number',
        'rf_declining_3m': 'boolean',
        'marketing_to_sales_wait_days': 'number',
        'sales_to_support_wait_days': 'number',
    }) }}
{% endmacro %}
