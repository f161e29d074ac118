{#
    Books of business (SPEC section 9): one row per portfolio, the customers sharing an
    account_owner_id ('unassigned' for the pool without one), with the roster's name and team,
    the mart's money summed (revenue at risk also per segment, so that readers rank and split
    books from here), the watchlist rows by severity and route, and the monthly workload
    of the customers' engagement models (seed engagement_model_effort) with its load index
    against the mean of the owners in the same team.
#}
{%- set segments = [('High-Value Enterprise', 'high_value_enterprise'), ('Enterprise', 'enterprise'),
    ('SMB', 'smb')] %}

with

customers as (
    select * from {{ ref('customer360__customer_value_analysis') }}
),

watchlist as (
    select * from {{ ref('customer360__watchlist') }}
),

account_owners as (
    select * from {{ ref('stg_customer360__account_owners') }}
    where rejection_reason is null
),

engagement_model_effort as (
    select
        recommended_engagement_model,
        cast(hours_per_customer_monthly as double) as hours_per_customer_monthly
    from {{ ref('engagement_model_effort') }}
),

portfolio_customers as (
    select
        coalesce(customers.account_owner_id, 'unassigned') as account_owner_id,
        customers.customer_segment,
        customers.revenue_12m,
        customers.expected_annual_revenue,
        customers.risk_adjusted_value,
        customers.revenue_at_risk,
        engagement_model_effort.hours_per_customer_monthly,
        customers.as_of_date
    from customers
    left join engagement_model_effort
        on customers.recommended_engagement_model = engagement_model_effort.recommended_engagement_model
),

portfolios as (
    select
        account_owner_id,
        max(as_of_date) as as_of_date,
        count(*) as customers,
        {% for segment, prefix in segments -%}
            count(case when customer_segment = '{{ segment }}' then 1 end) as {{ prefix }}_customers,
        {% endfor -%}
        sum(revenue_12m) as revenue_12m,
        sum(expected_annual_revenue) as expected_annual_revenue,
        sum(risk_adjusted_value) as risk_adjusted_value,
        sum(revenue_at_risk) as revenue_at_risk,
        {% for segment, prefix in segments -%}
            coalesce(sum(case when customer_segment = '{{ segment }}' then revenue_at_risk end), 0)
                as {{ prefix }}_revenue_at_risk,
        {% endfor -%}
        sum(hours_per_customer_monthly) as workload_hours_monthly
    from portfolio_customers
    group by account_owner_id
),

portfolio_watchlist as (
    select
        coalesce(account_owner_id, 'unassigned') as account_owner_id,
        count(*) as watchlist_rows,
        {% for severity in ['critical', 'warning', 'info'] -%}
            count(case when severity = '{{ severity }}' then 1 end) as watchlist_rows_{{ severity }},
        {% endfor -%}
        count(case when route = 'human' then 1 end) as watchlist_rows_human
    from watchlist
    group by coalesce(account_owner_id, 'unassigned')
),

named_portfolios as (
    select
        portfolios.*,
        account_owners.owner_name,
        account_owners.team
    from portfolios
    left join account_owners on portfolios.account_owner_id = account_owners.account_owner_id
),

team_workloads as (
    select
        team,
        avg(workload_hours_monthly) as mean_workload_hours_monthly
    from named_portfolios
    where team is not null
    group by team
),

final as (
    select
        named_portfolios.account_owner_id,
        named_portfolios.owner_name,
        named_portfolios.team,
        named_portfolios.customers,
        named_portfolios.high_value_enterprise_customers,
        named_portfolios.enterprise_customers,
        named_portfolios.smb_customers,
        cast(named_portfolios.revenue_12m as decimal(18, 2)) as revenue_12m,
        cast(named_portfolios.expected_annual_revenue as decimal(18, 2)) as expected_annual_revenue,
        cast(named_portfolios.risk_adjusted_value as decimal(18, 2)) as risk_adjusted_value,
        cast(named_portfolios.revenue_at_risk as decimal(18, 2)) as revenue_at_risk,
        {% for segment, prefix in segments -%}
            cast(named_portfolios.{{ prefix }}_revenue_at_risk as decimal(18, 2))
                as {{ prefix }}_revenue_at_risk,
        {% endfor -%}
        coalesce(portfolio_watchlist.watchlist_rows, 0) as watchlist_rows,
        coalesce(portfolio_watchlist.watchlist_rows_critical, 0) as watchlist_rows_critical,
        coalesce(portfolio_watchlist.watchlist_rows_warning, 0) as watchlist_rows_warning,
        coalesce(portfolio_watchlist.watchlist_rows_info, 0) as watchlist_rows_info,
        coalesce(portfolio_watchlist.watchlist_rows_human, 0) as watchlist_rows_human,
        named_portfolios.workload_hours_monthly,
        case
            when team_workloads.mean_workload_hours_monthly > 0
                then named_portfolios.workload_hours_monthly / team_workloads.mean_workload_hours_monthly
        end as load_index,
        named_portfolios.as_of_date
    from named_portfolios
    left join portfolio_watchlist
        on named_portfolios.account_owner_id = portfolio_watchlist.account_owner_id
    left join team_workloads on named_portfolios.team = team_workloads.team
)

select * from final
