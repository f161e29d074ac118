{#
    The calibration curve of the churn forecasts (SPEC section 8): one row per (snapshot_date,
    customer_segment incl. 'All', forecast, calibration_bin 1-10) of every snapshot evaluable
    for churn. Bins are ten equal-count groups by predicted probability (ties broken by
    customer_id); customer360__forecast_evaluation's calibration_error is the mean over them of
    |mean_predicted - observed_rate|.
#}

with

binned as (
    select * from {{ ref('int_customer_snapshot_forecasts_binned') }}
    where forecast in ('churn_probability', 'churn_probability_configured')
),

final as (
    select
        snapshot_date,
        customer_segment,
        forecast,
        calibration_bin,
        customers as n,
        predicted_sum / customers as mean_predicted,
        outcome_sum / customers as observed_rate
    from binned
)

select * from final
