{#
    How good the forecasts were (SPEC section 8): one row per (snapshot_date, customer_segment
    incl. 'All', forecast) of every evaluable snapshot, from the sums per calibration bin of
    int_customer_snapshot_forecasts_binned. See the forecast_evaluation doc block:
      roc_auc            Mann-Whitney: (sum of the churned customers' average ranks
                         - P (P + 1) / 2) / (P N), ties count one half
      brier_score        mean (p - y)^2
      log_loss           - mean (y ln p + (1 - y) ln (1 - p)), p clipped to [eps, 1 - eps] with
                         eps = 2.220446049250313e-16 (float64 machine epsilon, as scikit-learn)
      calibration_error  mean over the ten equal-count bins of |mean predicted - observed rate|
      spearman_rho       Pearson correlation of the average ranks of predicted and realised:
                         (n Sxy - Sx Sy) / sqrt((n Sxx - Sx^2) (n Syy - Sy^2))
      aggregate_error_pct  100 (sum predicted - sum realised) / sum realised
    NULL with a reason where a figure is undefined.
#}
{%- set min_rows = 3 -%}
{%- set bins = 10 -%}

with

binned as (
    select * from {{ ref('int_customer_snapshot_forecasts_binned') }}
),

groups as (
    select
        snapshot_date,
        customer_segment,
        forecast,
        forecast in ('churn_probability', 'churn_probability_configured') as is_churn_forecast,
        sum(customers) as n,
        sum(outcome_sum) as outcome_total,
        sum(predicted_sum) as predicted_total,
        sum(positive_rank_sum) as positive_rank_sum,
        sum(squared_error_sum) as squared_error_sum,
        sum(log_loss_sum) as log_loss_sum,
        sum(predicted_rank_sum) as predicted_rank_sum,
        sum(outcome_rank_sum) as outcome_rank_sum,
        sum(predicted_rank_square_sum) as predicted_rank_square_sum,
        sum(outcome_rank_square_sum) as outcome_rank_square_sum,
        sum(rank_product_sum) as rank_product_sum,
        min(predicted_min) = max(predicted_max) as is_predicted_constant,
        min(outcome_min) = max(outcome_max) as is_outcome_constant,
        avg(abs(predicted_sum / customers - outcome_sum / customers)) as calibration_error
    from binned
    group by snapshot_date, customer_segment, forecast
),

reasons as (
    select
        *,
        case
            when n < {{ min_rows }}
                then 'n = ' || cast(n as {{ dbt.type_string() }})
                    || ' customers; at least {{ min_rows }} needed'
            when is_churn_forecast and outcome_total = 0
                then 'no churned customer: roc_auc undefined'
            when is_churn_forecast and outcome_total = n
                then 'no retained customer: roc_auc undefined'
            when is_churn_forecast and n < {{ bins }}
                then 'fewer than {{ bins }} customers: calibration_error undefined'
            when not is_churn_forecast and outcome_total = 0
                then 'realised revenue is 0: aggregate_error_pct undefined'
            when not is_churn_forecast and (is_predicted_constant or is_outcome_constant)
                then 'predicted or realised revenue is constant: spearman_rho undefined'
        end as reason
    from groups
),

final as (
    select
        snapshot_date,
        customer_segment,
        forecast,
        n,
        case when is_churn_forecast then cast(outcome_total as integer) end as positives,
        predicted_total / n as mean_predicted,
        case when is_churn_forecast then outcome_total / n end as observed_rate,
        case when not is_churn_forecast then predicted_total end as predicted_total,
        case when not is_churn_forecast then outcome_total end as realised_total,
        case
            when is_churn_forecast and n >= {{ min_rows }} and outcome_total > 0 and outcome_total < n
                then (positive_rank_sum - outcome_total * (outcome_total + 1) / 2)
                    / (outcome_total * (n - outcome_total))
        end as roc_auc,
        case when is_churn_forecast and n >= {{ min_rows }} then squared_error_sum / n end as brier_score,
        case when is_churn_forecast and n >= {{ min_rows }} then log_loss_sum / n end as log_loss,
        case when is_churn_forecast and n >= {{ bins }} then calibration_error end as calibration_error,
        case
            when not is_churn_forecast and n >= {{ min_rows }}
                and not is_predicted_constant and not is_outcome_constant
                then (n * rank_product_sum - predicted_rank_sum * outcome_rank_sum)
                    / sqrt(
                        (n * predicted_rank_square_sum - predicted_rank_sum * predicted_rank_sum)
                        * (n * outcome_rank_square_sum - outcome_rank_sum * outcome_rank_sum)
                    )
        end as spearman_rho,
        case
            when not is_churn_forecast and n >= {{ min_rows }} and outcome_total <> 0
                then 100 * (predicted_total - outcome_total) / abs(outcome_total)
        end as aggregate_error_pct,
        reason
    from reasons
)

select * from final
