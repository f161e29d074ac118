{#
    How good the forecasts were (SPEC section 8): one row per (snapshot_date, customer_segment
    incl. 'All', forecast) of every evaluable snapshot. See the forecast_evaluation doc block:
      roc_auc            Mann-Whitney: (sum of the churned customers' average ranks
                         - P (P + 1) / 2) / (P N), ties count one half
      brier_score        mean (p - y)^2
      log_loss           - mean (y ln p + (1 - y) ln (1 - p)), p clipped to [eps, 1 - eps] with
                         eps = 2.220446049250313e-16 (float64 machine epsilon, as scikit-learn)
      calibration_error  mean over the ten equal-count bins of |mean predicted - observed rate|
      spearman_rho       Pearson correlation of the average ranks of predicted and realised
      aggregate_error_pct  100 (sum predicted - sum realised) / sum realised
    NULL with a reason where a figure is undefined.
#}
{%- set clip = 2.220446049250313e-16 -%}
{%- set min_rows = 3 -%}
{%- set bins = 10 -%}

with

ranked as (
    select * from {{ ref('int_customer_snapshot_forecasts_ranked') }}
),

groups as (
    select
        snapshot_date,
        customer_segment,
        forecast,
        forecast in ('churn_probability', 'churn_probability_configured') as is_churn_forecast,
        count(*) as n,
        sum(outcome) as outcome_total,
        sum(predicted) as predicted_total,
        avg(predicted) as mean_predicted,
        avg(outcome) as outcome_mean,
        sum(case when outcome = 1 then predicted_rank else 0 end) as positive_rank_sum,
        avg((predicted - outcome) * (predicted - outcome)) as brier_score,
        -avg(
            outcome * ln(least(greatest(predicted, {{ clip }}), 1 - {{ clip }}))
            + (1 - outcome) * ln(1 - least(greatest(predicted, {{ clip }}), 1 - {{ clip }}))
        ) as log_loss,
        min(predicted) = max(predicted) as is_predicted_constant,
        min(outcome) = max(outcome) as is_outcome_constant,
        corr(predicted_rank, outcome_rank) as rank_correlation
    from ranked
    group by snapshot_date, customer_segment, forecast
),

calibration_bins as (
    select
        snapshot_date,
        customer_segment,
        forecast,
        calibration_bin,
        avg(predicted) as mean_predicted,
        avg(outcome) as observed_rate
    from ranked
    where forecast in ('churn_probability', 'churn_probability_configured')
    group by snapshot_date, customer_segment, forecast, calibration_bin
),

calibration as (
    select
        snapshot_date,
        customer_segment,
        forecast,
        avg(abs(mean_predicted - observed_rate)) as calibration_error
    from calibration_bins
    group by snapshot_date, customer_segment, forecast
),

reasons as (
    select
        groups.*,
        calibration.calibration_error,
        case
            when groups.n < {{ min_rows }}
                then 'n = ' || cast(groups.n as {{ dbt.type_string() }})
                    || ' customers; at least {{ min_rows }} needed'
            when groups.is_churn_forecast and groups.outcome_total = 0
                then 'no churned customer: roc_auc undefined'
            when groups.is_churn_forecast and groups.outcome_total = groups.n
                then 'no retained customer: roc_auc undefined'
            when groups.is_churn_forecast and groups.n < {{ bins }}
                then 'fewer than {{ bins }} customers: calibration_error undefined'
            when not groups.is_churn_forecast and groups.outcome_total = 0
                then 'realised revenue is 0: aggregate_error_pct undefined'
            when not groups.is_churn_forecast and (groups.is_predicted_constant or groups.is_outcome_constant)
                then 'predicted or realised revenue is constant: spearman_rho undefined'
        end as reason
    from groups
    left join calibration
        on groups.snapshot_date = calibration.snapshot_date
            and groups.customer_segment = calibration.customer_segment
            and groups.forecast = calibration.forecast
),

final as (
    select
        snapshot_date,
        customer_segment,
        forecast,
        n,
        case when is_churn_forecast then cast(outcome_total as integer) end as positives,
        mean_predicted,
        case when is_churn_forecast then outcome_mean end as observed_rate,
        case when not is_churn_forecast then predicted_total end as predicted_total,
        case when not is_churn_forecast then outcome_total end as realised_total,
        case
            when is_churn_forecast and n >= {{ min_rows }} and outcome_total > 0 and outcome_total < n
                then (positive_rank_sum - outcome_total * (outcome_total + 1) / 2)
                    / (outcome_total * (n - outcome_total))
        end as roc_auc,
        case when is_churn_forecast and n >= {{ min_rows }} then brier_score end as brier_score,
        case when is_churn_forecast and n >= {{ min_rows }} then log_loss end as log_loss,
        case when is_churn_forecast and n >= {{ bins }} then calibration_error end as calibration_error,
        case
            when not is_churn_forecast and n >= {{ min_rows }}
                and not is_predicted_constant and not is_outcome_constant
                then rank_correlation
        end as spearman_rho,
        case
            when not is_churn_forecast and n >= {{ min_rows }} and outcome_total <> 0
                then 100 * (predicted_total - outcome_total) / abs(outcome_total)
        end as aggregate_error_pct,
        reason
    from reasons
)

select * from final
