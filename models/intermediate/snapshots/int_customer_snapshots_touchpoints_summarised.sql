{#
    Every customer of each snapshot with its touchpoints across the sources: the latest touch of
    any kind, the funnel timings and spread, and the counts the health components use. Absent
    optional tables (see stg_customer360__raw_file_inventory) leave their columns NULL rather
    than zero, so that health can leave those components out.
#}

with

customers as (
    select
        customer_id,
        snapshot_date
    from {{ ref('int_customer_snapshots') }}
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
    select
        customer_id,
        snapshot_date,
        last_transaction_date,
        transaction_types_12m
    from {{ ref('int_customer_snapshots_transactions_aggregated') }}
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

joined as (
    select
        customers.customer_id,
        customers.snapshot_date,
        inventory.has_activity_events,
        inventory.has_funnel_events,
        inventory.has_support_tickets,
        transactions.last_transaction_date,
        activity.last_activity_date,
        funnel.last_funnel_date,
        support.last_ticket_opened_date,
        coalesce(transactions.transaction_types_12m, 0) as transaction_types_12m,
        activity.events_in_engagement_window,
        activity.channels_12m,
        funnel.first_marketing_date,
        funnel.first_sales_date,
        funnel.first_support_date,
        coalesce(funnel.marketing_touches, 0) as marketing_touches,
        coalesce(funnel.sales_touches, 0) as sales_touches,
        coalesce(funnel.support_touches, 0) as support_touches,
        support.tickets_in_support_window,
        support.mean_csat_in_support_window,
        support.open_escalated_tickets
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
),

latest as (
    select
        *,
        {{ c360_greatest_date(['last_transaction_date', 'last_activity_date',
            'last_funnel_date', 'last_ticket_opened_date']) }} as last_touch_date,
        marketing_touches + sales_touches + support_touches as funnel_touches
    from joined
),

final as (
    select
        customer_id,
        snapshot_date,
        has_activity_events,
        has_funnel_events,
        has_support_tickets,
        last_touch_date,
        {{ dbt.datediff('last_touch_date', 'snapshot_date', 'day') }}
            as days_since_last_activity,
        first_marketing_date,
        first_sales_date,
        first_support_date,
        {{ dbt.datediff('first_marketing_date', 'first_sales_date', 'day') }}
            as marketing_to_sales_days,
        {{ dbt.datediff('first_sales_date', 'first_support_date', 'day') }}
            as sales_to_support_days,
        {{ c360_normalised_entropy(
            ['marketing_touches', 'sales_touches', 'support_touches'], 'funnel_touches') }}
            as cross_stage_engagement_consistency,
        case
            when has_activity_events then coalesce(events_in_engagement_window, 0)
        end as events_in_engagement_window,
        transaction_types_12m
        + case when has_activity_events then coalesce(channels_12m, 0) else 0 end
        + case
            when has_funnel_events
                then
                    case when marketing_touches > 0 then 1 else 0 end
                    + case when sales_touches > 0 then 1 else 0 end
                    + case when support_touches > 0 then 1 else 0 end
            else 0
        end as touchpoint_kinds_12m,
        case
            when has_support_tickets then coalesce(tickets_in_support_window, 0)
        end as tickets_in_support_window,
        mean_csat_in_support_window,
        coalesce(open_escalated_tickets, 0) as open_escalated_tickets
    from latest
)

select * from final
