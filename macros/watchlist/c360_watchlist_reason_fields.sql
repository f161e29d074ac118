{#
    The figures a watchlist rule's reason_template may quote as {<name>}, besides {value} (the
    rule's metric) and {threshold}: each a metric of c360_watchlist_metrics(). Kept short: each
    one is a replace() on every row that fired.
#}
{% macro c360_watchlist_reason_fields() %}
    {{ return([
        'recency_score',
        'frequency_score',
        'monetary_score',
        'rfm_composite_score',
        'customer_health_score',
        'churn_probability',
        'days_since_last_activity',
        'expected_annual_revenue',
        'recency_score_change_1m',
        'frequency_score_change_1m',
        'rfm_composite_change_3m',
    ]) }}
{% endmacro %}
