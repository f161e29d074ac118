{#
    Tier, portfolio share, High-Value Enterprise flag and segment, per snapshot.
    - customer_tier: the tier of `tier_thresholds` with the highest min_revenue_12m that
      revenue_12m reaches (bounds inclusive); the lowest tier catches everything below. The
      tiers are looked up in two ordered lists (c360_band_label), not by a join on an
      inequality, which sorted every customer-snapshot row with its whole payload.
    - A portfolio is the customers of one snapshot sharing an account_owner_id; customers
      without an owner form one pooled portfolio (NULL owners are matched with `is not distinct
      from`). portfolio_contribution_pct = 100 * revenue_12m / portfolio total, 0 when the total
      is not positive.
    - is_high_value_enterprise: tier in var `enterprise_tiers` and a share strictly above
      `hve_min_contribution_pct`, compared in exact decimals (revenue * 100 > pct * total) so a
      customer at exactly 5% is not HVE.
    The portfolio totals are summed per (snapshot, owner) and joined back: a handful of rows per
    snapshot, where a window over every customer would hold each whole row.
#}
{%- set hve_min_pct = c360_validated_number('hve_min_contribution_pct', 0, 100) -%}

with

customers as (
    select * from {{ ref('int_customer_snapshots_touchpoints_summarised') }}
),

portfolios as (
    select
        snapshot_date,
        account_owner_id,
        sum(revenue_12m) as portfolio_revenue_12m
    from {{ ref('int_customer_snapshots_touchpoints_summarised') }}
    group by snapshot_date, account_owner_id
),

tiers as (
    select
        customer_tier,
        min_revenue_12m
    from {{ ref('tier_thresholds') }}
),

-- the tiers' lower bounds in increasing order, and their names in the same order
tier_bands as (
    select
        {{ c360_ordered_list('min_revenue_12m', 'min_revenue_12m') }} as lower_bounds,
        {{ c360_ordered_list('customer_tier', 'min_revenue_12m') }} as tier_names
    from tiers
),

tiered as (
    select
        customers.*,
        {{ c360_band_label('customers.revenue_12m', 'tier_bands.lower_bounds',
            'tier_bands.tier_names') }} as customer_tier,
        portfolios.portfolio_revenue_12m
    from customers
    inner join portfolios
        on customers.snapshot_date = portfolios.snapshot_date
            and customers.account_owner_id is not distinct from portfolios.account_owner_id
    cross join tier_bands
),

flagged as (
    select
        *,
        case
            when portfolio_revenue_12m > 0
                then 100 * cast(revenue_12m as double) / cast(portfolio_revenue_12m as double)
            else 0
        end as portfolio_contribution_pct,
        coalesce(
            customer_tier in {{ c360_sql_list(var('enterprise_tiers')) }}
            and portfolio_revenue_12m > 0
            and revenue_12m * 100 > cast({{ hve_min_pct }} as decimal(18, 6)) * portfolio_revenue_12m,
            false
        ) as is_high_value_enterprise
    from tiered
),

final as (
    select
        *,
        case
            when is_high_value_enterprise then 'High-Value Enterprise'
            when customer_tier in {{ c360_sql_list(var('enterprise_tiers')) }} then 'Enterprise'
            else 'SMB'
        end as customer_segment
    from flagged
)

select * from final
