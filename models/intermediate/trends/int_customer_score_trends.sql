{#
    The trend columns of SPEC section 7, one row per customer of the history's slice at
    as_of_date: the customer's scores now against the snapshots one, two and three months
    before. A change is the value now minus the value then, NULL when the customer has no row
    then. rf_declining_3m: with s = recency_score + frequency_score now and one, two and three
    months before (s0..s3), s0 <= s1 <= s2 <= s3 and s0 < s3; NULL when any of the four is
    missing.
#}

with

snapshot_dates as (
    select
        snapshot_date,
        months_before
    from {{ ref('int_snapshot_dates') }}
    where months_before <= 3
),

scores as (
    select
        history.customer_id,
        snapshot_dates.months_before,
        history.recency_score,
        history.frequency_score,
        history.recency_score + history.frequency_score as rf_score_sum,
        history.customer_health_score,
        history.churn_probability,
        history.rfm_composite_score
    from {{ ref('customer360__customer_score_history') }} as history
    inner join snapshot_dates
        on history.snapshot_date = snapshot_dates.snapshot_date
),

-- each customer's figures side by side: _0m now, _1m to _3m one to three months before
by_customer as (
    select
        customer_id,
        {% for months_before in [0, 1, 2, 3] -%}
            max(case when months_before = {{ months_before }} then rf_score_sum end)
                as rf_score_sum_{{ months_before }}m,
        {% endfor -%}
        {% for months_before in [0, 1] -%}
            max(case when months_before = {{ months_before }} then recency_score end)
                as recency_score_{{ months_before }}m,
            max(case when months_before = {{ months_before }} then frequency_score end)
                as frequency_score_{{ months_before }}m,
        {% endfor -%}
        {% for months_before in [0, 3] -%}
            max(case when months_before = {{ months_before }} then customer_health_score end)
                as customer_health_score_{{ months_before }}m,
            max(case when months_before = {{ months_before }} then churn_probability end)
                as churn_probability_{{ months_before }}m,
            max(case when months_before = {{ months_before }} then rfm_composite_score end)
                as rfm_composite_score_{{ months_before }}m,
        {% endfor -%}
        count(case when months_before = 0 then 1 end) as rows_at_as_of_date
    from scores
    group by customer_id
),

final as (
    select
        customer_id,
        -- a change of a score is a score too (c360_round_score), so 3.1 - 3.0 is 0.1, not
        -- 0.10000000000000009, for a rule's bound
        {{ c360_round_score('customer_health_score_0m - customer_health_score_3m') }}
            as health_score_change_3m,
        churn_probability_0m - churn_probability_3m as churn_probability_change_3m,
        {{ c360_round_score('rfm_composite_score_0m - rfm_composite_score_3m') }}
            as rfm_composite_change_3m,
        recency_score_0m - recency_score_1m as recency_score_change_1m,
        frequency_score_0m - frequency_score_1m as frequency_score_change_1m,
        case
            when rf_score_sum_1m is not null
                and rf_score_sum_2m is not null
                and rf_score_sum_3m is not null
                then rf_score_sum_0m <= rf_score_sum_1m
                    and rf_score_sum_1m <= rf_score_sum_2m
                    and rf_score_sum_2m <= rf_score_sum_3m
                    and rf_score_sum_0m < rf_score_sum_3m
        end as rf_declining_3m
    from by_customer
    where rows_at_as_of_date > 0
)

select * from final
