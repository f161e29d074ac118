{#
    Identity, money, tier and RFM of each customer and computed snapshot: the first half of a
    history row, assembled from the models named for each rule.
#}

with

customers as (
    select * from {{ ref('int_customer_snapshots') }}
),

identities as (
    select
        customer_id,
        customer_name,
        industry,
        region,
        country_code
    from {{ ref('int_customers_accepted') }}
),

transactions as (
    select * from {{ ref('int_customer_snapshots_transactions_aggregated') }}
),

tiered as (
    select * from {{ ref('int_customer_snapshots_tiered') }}
),

projected as (
    select * from {{ ref('int_customer_snapshots_value_projected') }}
),

rfm as (
    select * from {{ ref('int_customer_snapshots_rfm_scored') }}
),

final as (
    select
        customers.customer_id,
        customers.snapshot_date,
        identities.customer_name,
        identities.industry,
        identities.region,
        identities.country_code,
        customers.account_owner_id,
        customers.signup_date,
        cast(customers.tenure_days as {{ dbt.type_bigint() }}) as tenure_days,

        cast(coalesce(transactions.lifetime_revenue, 0) as decimal(18, 2)) as lifetime_revenue,
        cast(tiered.revenue_12m as decimal(18, 2)) as revenue_12m,
        cast(coalesce(transactions.transaction_count, 0) as {{ dbt.type_bigint() }}) as transaction_count,
        transactions.first_transaction_date,
        transactions.last_transaction_date,
        {{ c360_money_per_count('transactions.lifetime_revenue', 'transactions.transaction_count') }}
            as avg_transaction_value,
        projected.expected_annual_revenue,
        projected.revenue_velocity_monthly,
        projected.estimated_customer_ltv,
        projected.upsell_potential,
        projected.risk_adjusted_value,
        projected.revenue_at_risk,

        tiered.customer_tier,
        tiered.portfolio_contribution_pct,
        tiered.is_high_value_enterprise,
        tiered.customer_segment,

        cast(rfm.recency_days as {{ dbt.type_bigint() }}) as recency_days,
        rfm.frequency,
        cast(rfm.monetary as decimal(18, 2)) as monetary,
        rfm.recency_score,
        rfm.frequency_score,
        rfm.monetary_score,
        rfm.rfm_composite_score,
        rfm.monetary_bias,
        rfm.rfm_segment
    from customers
    inner join identities
        on customers.customer_id = identities.customer_id
    inner join tiered
        on customers.customer_id = tiered.customer_id
            and customers.snapshot_date = tiered.snapshot_date
    inner join projected
        on customers.customer_id = projected.customer_id
            and customers.snapshot_date = projected.snapshot_date
    inner join rfm
        on customers.customer_id = rfm.customer_id
            and customers.snapshot_date = rfm.snapshot_date
    left join transactions
        on customers.customer_id = transactions.customer_id
            and customers.snapshot_date = transactions.snapshot_date
)

select * from final
