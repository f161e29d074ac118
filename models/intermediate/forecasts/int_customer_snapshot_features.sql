{#
    TEMPORARY stand-in for the lead's int_customer_snapshot_features (issue 17), so the forecast
    models can be built before the history spine lands; deleted when main gains the real one.
    Same key and columns, from the validated rows as they stood at each snapshot date, with a
    simplified health score (mean of composite RFM and an engagement component) and no kept
    snapshots (is_computed is true everywhere).
#}
{%- set weights = c360_validated_weights('rfm_weights', ['recency', 'frequency', 'monetary']) -%}
{%- set churn = var('churn_model') -%}
{%- set inactivity_cap = c360_validated_number('churn_inactivity_cap_days', 1) -%}
{%- set rfm_window = c360_validated_number('rfm_window_days', 1) -%}
{%- set hve_min_pct = c360_validated_number('hve_min_contribution_pct', 0, 100) -%}

with

snapshot_dates as (
    select snapshot_date from {{ ref('int_snapshot_dates') }}
),

customers as (
    select
        customer_id,
        signup_date,
        account_owner_id
    from {{ ref('int_customers_validated') }}
    where rejection_reason is null
),

transactions as (
    select
        customer_id,
        cast(transaction_ts as date) as transaction_date,
        amount
    from {{ ref('int_transactions_validated') }}
    where rejection_reason is null
),

activity as (
    select
        customer_id,
        cast(event_ts as date) as event_date
    from {{ ref('int_activity_events_validated') }}
    where rejection_reason is null
),

tiers as (
    select
        customer_tier,
        min_revenue_12m
    from {{ ref('tier_thresholds') }}
),

spine as (
    select
        customers.customer_id,
        customers.account_owner_id,
        snapshot_dates.snapshot_date,
        {{ dbt.datediff('customers.signup_date', 'snapshot_dates.snapshot_date', 'day') }}                         as tenure_days
    from customers
    inner join snapshot_dates
        on customers.signup_date <= snapshot_dates.snapshot_date
),

money as (
    select
        spine.customer_id,
        spine.snapshot_date,
        max(case
            when transactions.amount > 0
                and transactions.transaction_date > spine.snapshot_date - {{ rfm_window }}
                then transactions.transaction_date
        end) as last_purchase_date,
        max(transactions.transaction_date) as last_transaction_date,
        count(case
            when transactions.amount > 0
                and transactions.transaction_date > spine.snapshot_date - {{ rfm_window }}
                then 1
        end) as frequency,
        coalesce(sum(case
            when transactions.transaction_date > spine.snapshot_date - {{ rfm_window }}
                then transactions.amount
        end), 0) as monetary,
        coalesce(sum(case
            when transactions.transaction_date > spine.snapshot_date - 365 then transactions.amount
        end), 0) as revenue_12m,
        coalesce(sum(transactions.amount), 0) as lifetime_revenue,
        count(transactions.amount) as transaction_count
    from spine
    left join transactions
        on spine.customer_id = transactions.customer_id
            and spine.snapshot_date >= transactions.transaction_date
    group by spine.customer_id, spine.snapshot_date
),

engagement as (
    select
        spine.customer_id,
        spine.snapshot_date,
        max(activity.event_date) as last_event_date,
        count(case when activity.event_date > spine.snapshot_date - 90 then 1 end) as recent_events
    from spine
    left join activity
        on spine.customer_id = activity.customer_id
            and spine.snapshot_date >= activity.event_date
    group by spine.customer_id, spine.snapshot_date
),

joined as (
    select
        spine.customer_id,
        spine.snapshot_date,
        spine.account_owner_id,
        spine.tenure_days,
        {{ dbt.datediff('money.last_purchase_date', 'spine.snapshot_date', 'day') }}                         as recency_days,
        cast(money.frequency as integer) as frequency,
        money.monetary,
        money.revenue_12m,
        money.lifetime_revenue,
        cast(money.transaction_count as integer) as transaction_count,
        {{ dbt.datediff(c360_greatest_date(['money.last_transaction_date', 'engagement.last_event_date']),
            'spine.snapshot_date', 'day') }} as days_since_last_activity,
        1 + 4 * least(1.0, engagement.recent_events / 12.0) as engagement_component
    from spine
    inner join money
        on spine.customer_id = money.customer_id and spine.snapshot_date = money.snapshot_date
    inner join engagement
        on spine.customer_id = engagement.customer_id and spine.snapshot_date = engagement.snapshot_date
),

ranked as (
    select
        customer_id,
        snapshot_date,
        count(*) over (partition by snapshot_date) as ranked_customers,
        count(*) over (
            partition by snapshot_date
            order by recency_days desc range between unbounded preceding and current row
        ) as recency_rank_no_better,
        count(*) over (
            partition by snapshot_date
            order by frequency range between unbounded preceding and current row
        ) as frequency_rank_no_better,
        count(*) over (
            partition by snapshot_date
            order by monetary range between unbounded preceding and current row
        ) as monetary_rank_no_better
    from joined
    where frequency > 0
),

scored as (
    select
        joined.*,
        {{ c360_quintile_score('ranked.recency_rank_no_better', 'ranked.ranked_customers') }}
            as recency_score,
        {{ c360_quintile_score('ranked.frequency_rank_no_better', 'ranked.ranked_customers') }}
            as frequency_score,
        {{ c360_quintile_score('ranked.monetary_rank_no_better', 'ranked.ranked_customers') }}
            as monetary_score
    from joined
    left join ranked
        on joined.customer_id = ranked.customer_id and joined.snapshot_date = ranked.snapshot_date
),

tiered as (
    select
        scored.*,
        round(
            {{ weights.recency }} * scored.recency_score
            + {{ weights.frequency }} * scored.frequency_score
            + {{ weights.monetary }} * scored.monetary_score,
            10
        ) as rfm_composite_score,
        (
            select tiers.customer_tier from tiers
            where tiers.min_revenue_12m <= scored.revenue_12m
            order by tiers.min_revenue_12m desc
            limit 1
        ) as reached_tier,
        sum(scored.revenue_12m)
            over (partition by scored.snapshot_date, scored.account_owner_id)
            as portfolio_revenue_12m
    from scored
),

final as (
    select
        customer_id,
        snapshot_date,
        case
            when coalesce(reached_tier, 'Basic') in {{ c360_sql_list(var('enterprise_tiers')) }}
                and portfolio_revenue_12m > 0
                and revenue_12m * 100 > {{ hve_min_pct }} * portfolio_revenue_12m
                then 'High-Value Enterprise'
            when coalesce(reached_tier, 'Basic') in {{ c360_sql_list(var('enterprise_tiers')) }}
                then 'Enterprise'
            else 'SMB'
        end as customer_segment,
        coalesce(reached_tier, 'Basic') as customer_tier,
        tenure_days,
        recency_days,
        frequency,
        monetary,
        recency_score,
        frequency_score,
        monetary_score,
        rfm_composite_score,
        (rfm_composite_score + engagement_component) / 2 as customer_health_score,
        days_since_last_activity,
        revenue_12m,
        lifetime_revenue,
        transaction_count,
        1 / (1 + exp(-(
            {{ churn.intercept }}
            + {{ churn.health }} * ((rfm_composite_score + engagement_component) / 2 - 3)
            + {{ churn.rfm_composite }} * (rfm_composite_score - 3)
            + {{ churn.inactivity_years }}
            * least(coalesce(days_since_last_activity, {{ inactivity_cap }}), {{ inactivity_cap }}) / 365.0
        ))) as churn_probability_configured,
        true as is_computed
    from tiered
)

select * from final
