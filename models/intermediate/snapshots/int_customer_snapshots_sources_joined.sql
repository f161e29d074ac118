{#
    Every customer of each computed snapshot with what each source says about it at that date:
    the spine joined once to the four per-source aggregates. It is the one table the rule models
    read; each of them is a step of a chain of views over it that adds its own columns
    (touchpoints, tier, RFM, health, churn, value, stability, lifecycle, engagement model), so a
    customer's row crosses the rules once and no rule joins the others' results back.
    - transactions: a customer without any accepted transaction by the snapshot gets 0 money and
      counts, and NULL dates, trend and stability moments;
    - optional sources: an absent table (stg_customer360__raw_file_inventory) leaves its counts
      NULL, so health can leave its component out; a present table without rows for the
      customer gives 0.
#}

with

customers as (
    select * from {{ ref('int_customer_snapshots') }}
),

inventory as (
    select
        max(case when source_table = 'activity_events' and is_present then 1 else 0 end) = 1
            as has_activity_events,
        max(case when source_table = 'funnel_events' and is_present then 1 else 0 end) = 1
            as has_funnel_events,
        max(case when source_table = 'support_tickets' and is_present then 1 else 0 end) = 1
            as has_support_tickets
    from {{ ref('stg_customer360__raw_file_inventory') }}
),

transactions as (
    select * from {{ ref('int_customer_snapshots_transactions_aggregated') }}
),

activity as (
    select * from {{ ref('int_customer_snapshots_activity_aggregated') }}
),

funnel as (
    select * from {{ ref('int_customer_snapshots_funnel_aggregated') }}
),

support as (
    select * from {{ ref('int_customer_snapshots_support_aggregated') }}
),

final as (
    select
        customers.customer_id,
        customers.snapshot_date,
        customers.account_owner_id,
        customers.signup_date,
        customers.tenure_days,
        inventory.has_activity_events,
        inventory.has_funnel_events,
        inventory.has_support_tickets,

        coalesce(transactions.lifetime_revenue, 0) as lifetime_revenue,
        coalesce(transactions.revenue_12m, 0) as revenue_12m,
        coalesce(transactions.transaction_count, 0) as transaction_count,
        transactions.avg_transaction_value,
        transactions.first_transaction_date,
        transactions.last_transaction_date,
        coalesce(transactions.purchase_days, 0) as purchase_days,
        coalesce(transactions.purchase_value, 0) as purchase_value,
        transactions.first_purchase_date,
        transactions.last_purchase_date,
        transactions.first_purchase_day_value,
        transactions.last_purchase_date_in_rfm_window,
        coalesce(transactions.purchases_in_rfm_window, 0) as purchases_in_rfm_window,
        coalesce(transactions.net_revenue_in_rfm_window, 0) as net_revenue_in_rfm_window,
        coalesce(transactions.net_revenue_in_velocity_window, 0) as net_revenue_in_velocity_window,
        coalesce(transactions.revenue_recent_half_year, 0) as revenue_recent_half_year,
        coalesce(transactions.revenue_prior_half_year, 0) as revenue_prior_half_year,
        coalesce(transactions.transaction_types_12m, 0) as transaction_types_12m,
        transactions.revenue_trend,
        transactions.months_in_stability_window,
        transactions.sum_square_monthly_revenue,

        activity.last_activity_date,
        case
            when inventory.has_activity_events then coalesce(activity.events_in_engagement_window, 0)
        end as events_in_engagement_window,
        case when inventory.has_activity_events then coalesce(activity.channels_12m, 0) end as channels_12m,

        funnel.last_funnel_date,
        funnel.first_marketing_date,
        funnel.first_sales_date,
        funnel.first_support_date,
        coalesce(funnel.marketing_touches, 0) as marketing_touches,
        coalesce(funnel.sales_touches, 0) as sales_touches,
        coalesce(funnel.support_touches, 0) as support_touches,

        support.last_ticket_opened_date,
        case
            when inventory.has_support_tickets then coalesce(support.tickets_in_support_window, 0)
        end as tickets_in_support_window,
        support.mean_csat_in_support_window,
        coalesce(support.open_escalated_tickets, 0) as open_escalated_tickets
    from customers
    cross join inventory
    left join transactions
        on customers.customer_id = transactions.customer_id
            and customers.snapshot_date = transactions.snapshot_date
    left join activity
        on customers.customer_id = activity.customer_id
            and customers.snapshot_date = activity.snapshot_date
    left join funnel
        on customers.customer_id = funnel.customer_id
            and customers.snapshot_date = funnel.snapshot_date
    left join support
        on customers.customer_id = support.customer_id
            and customers.snapshot_date = support.snapshot_date
)

select * from final
