{#
    What happened after each snapshot (SPEC section 8), one row per (customer_id, snapshot_date)
    of every snapshot date, kept or computed:
      is_churned             no purchase (accepted transaction, amount > 0) dated in
                             (T, T + churn_horizon_days]; NULL until T + churn_horizon_days <= as_of_date
      realised_revenue_365d  net amount of accepted transactions dated in (T, T + 365], refunds
                             included; NULL until T + 365 <= as_of_date
    A half-observed horizon is NULL, not a guess, so no model can learn from or be judged on it.
    Kept like the history: a build writes the snapshots whose outcomes int_snapshot_dates marks
    is_outcome_computed (replacing their stored rows) and removes dates that left the range.
#}
{{
    config(
        materialized='incremental',
        unique_key='snapshot_date',
        incremental_strategy=c360_replace_by_key_strategy(),
        partition_by=c360_replace_by_key_partitions('snapshot_date'),
        pre_hook="{{ c360_delete_stale_snapshots() }}",
    )
}}
{%- set horizon_days = c360_validated_whole_number('churn_horizon_days', 1, 36500) -%}

with

judged_dates as (
    select snapshot_date from {{ ref('int_snapshot_dates') }}
    {% if is_incremental() -%}
        where is_outcome_computed
    {%- endif %}
),

snapshots as (
    select
        features.customer_id,
        features.snapshot_date
    from {{ ref('int_customer_snapshot_features') }} as features
    inner join judged_dates
        on features.snapshot_date = judged_dates.snapshot_date
),

-- only the transactions after the earliest judged snapshot can fall in a window: a monthly
-- rebuild judges the latest year or so, and reads that year, not every transaction
transactions as (
    select
        customer_id,
        transaction_date,
        amount
    from {{ ref('int_transactions_accepted') }}
    where transaction_date > (select min(judged_dates.snapshot_date) from judged_dates)
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

windows as (
    select
        snapshots.customer_id,
        snapshots.snapshot_date,
        cast({{ dbt.dateadd('day', horizon_days, 'snapshots.snapshot_date') }} as date)
            as churn_horizon_end_date,
        cast({{ dbt.dateadd('day', 365, 'snapshots.snapshot_date') }} as date) as revenue_window_end_date,
        cast({{ dbt.dateadd('day', [horizon_days, 365] | max, 'snapshots.snapshot_date') }} as date)
            as followed_until_date,
        as_of.as_of_date
    from snapshots
    cross join as_of
),

followed as (
    select
        windows.customer_id,
        windows.snapshot_date,
        count(
            case
                when transactions.amount > 0
                    and transactions.transaction_date <= windows.churn_horizon_end_date
                    then 1
            end
        ) as purchases_in_churn_horizon,
        coalesce(sum(
            case
                when transactions.transaction_date <= windows.revenue_window_end_date
                    then transactions.amount
            end
        ), 0) as net_amount_365d
    from windows
    inner join transactions
        on windows.customer_id = transactions.customer_id
            and windows.snapshot_date < transactions.transaction_date
            and windows.followed_until_date >= transactions.transaction_date
    group by windows.customer_id, windows.snapshot_date
),

final as (
    select
        windows.customer_id,
        windows.snapshot_date,
        windows.churn_horizon_end_date,
        windows.revenue_window_end_date,
        windows.churn_horizon_end_date <= windows.as_of_date as is_evaluable_churn,
        windows.revenue_window_end_date <= windows.as_of_date as is_evaluable_revenue,
        case
            when windows.churn_horizon_end_date <= windows.as_of_date
                then coalesce(followed.purchases_in_churn_horizon, 0) = 0
        end as is_churned,
        case
            when windows.revenue_window_end_date <= windows.as_of_date
                then coalesce(followed.net_amount_365d, 0)
        end as realised_revenue_365d
    from windows
    left join followed
        on windows.customer_id = followed.customer_id
            and windows.snapshot_date = followed.snapshot_date
)

select * from final
