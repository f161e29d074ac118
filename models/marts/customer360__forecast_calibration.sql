{#
    The calibration curve of the churn forecasts (SPEC section 8): one row per (snapshot_date,
    customer_segment incl. 'All', forecast, calibration_bin 1-10) of every snapshot evaluable
    for churn. Bins are ten equal-count groups by predicted probability (ties broken by
    customer_id); customer360__forecast_evaluation's calibration_error is the mean over them of
    |mean_predicted - observed_rate|.
#}

with

ranked as (
    select * from {{ ref('int_customer_snapshot_forecasts_ranked') }}
    where forecast in ('churn_probability', 'churn_probability_configured')
),

final as (
    select
        snapshot_date,
        customer_segment,
        forecast,
        calibration_bin,
        count(*) as n,
        avg(predicted) as mean_predicted,
        avg(outcome) as observed_rate
    from ranked
    group by snapshot_date, customer_segment, forecast, calibration_bin
)

select * from final
