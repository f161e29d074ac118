{#
    The vars that decide a customer's scores, by name, with their resolved values. Together with
    the scoring seeds they are the scoring configuration whose fingerprint every history row
    carries (int_scoring_configuration), so a change of rules is never read as a change of
    customers. history_months is one of them: the fitted churn model of a snapshot early in the
    history learns from the earlier snapshots the history holds. as_of_date is not: a snapshot's
    row depends on its own date, not on the build's (SPEC 7), so moving as_of_date a month on
    computes the new month and keeps the rest. Vars that only steer monitoring, alerts, the
    watchlist or the semantic layer are listed in
    c360_non_scoring_var_names; a test proves every project var is in exactly one list.
#}
{% macro c360_scoring_var_names() %}
    {{ return([
        'transaction_types', 'funnel_stages', 'ticket_priorities',
        'hve_min_contribution_pct', 'enterprise_tiers', 'rfm_window_days', 'rfm_weights',
        'velocity_window_days', 'engagement_window_days', 'support_window_days',
        'health_weights', 'engagement_target_events', 'breadth_target_touchpoints',
        'support_score_without_tickets', 'support_open_escalation_penalty',
        'health_band_cutoffs', 'churn_model', 'churn_inactivity_cap_days', 'churn_risk_cutoffs',
        'value_stability_cv_bounds', 'onboarding_days', 'dormant_after_days', 'growth_min_trend',
        'maturity_min_tenure_days', 'ltv_discount_rate', 'upsell_capture_rate',
        'churn_horizon_days', 'as_of_max_gap_days', 'time_zone', 'transaction_amount_max_abs',
        'churn_model_source', 'churn_fit_min_evaluable_snapshots', 'churn_training_snapshots',
        'churn_fit_min_churn_events',
        'churn_training_half_life_months', 'churn_training_rows_per_snapshot', 'churn_fit_seed',
        'purchase_model_sample_customers', 'purchase_model_seed',
        'history_months',
    ]) }}
{% endmacro %}

{% macro c360_non_scoring_var_names() %}
    {{ return([
        'as_of_date', 'correlation_pairs', 'correlation_shift_z_threshold', 'rejected_pct_warn',
        'rejected_pct_error', 'rejected_min_rows', 'drift_metrics', 'drift_history_builds',
        'drift_min_history', 'drift_z_threshold', 'drift_max_warn_metrics',
        'time_spine_start_date', 'time_spine_end_date', 'csv_delimiter', 'csv_encoding',
        'publish_max_drop_pct', 'test_failures_max_rows', 'smb_human_route_top_pct',
        'funnel_sla_window_days',
    ]) }}
{% endmacro %}

{% macro c360_scoring_configuration() %}
    {%- set configuration = {} -%}
    {%- for name in c360_scoring_var_names() -%}
        {%- do configuration.update({name: var(name, none)}) -%}
    {%- endfor -%}
    {{ return(configuration) }}
{% endmacro %}
