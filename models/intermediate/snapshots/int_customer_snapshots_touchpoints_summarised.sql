{#
    Each customer's touchpoints across the sources at each snapshot: the latest touch of any kind
    (days_since_last_activity), the funnel timings and how evenly the touches spread over the
    three stages, and the number of kinds of touchpoint used in 12 months (relationship breadth).
    First step of the chain over int_customer_snapshots_sources_joined: it adds these columns to
    the row.
#}

with

sources as (
    select * from {{ ref('int_customer_snapshots_sources_joined') }}
),

latest as (
    select
        *,
        {{ c360_greatest_date(['last_transaction_date', 'last_activity_date',
            'last_funnel_date', 'last_ticket_opened_date']) }} as last_touch_date
    from sources
),

final as (
    select
        *,
        {{ dbt.datediff('last_touch_date', 'snapshot_date', 'day') }}
            as days_since_last_activity,
        {{ dbt.datediff('first_marketing_date', 'first_sales_date', 'day') }}
            as marketing_to_sales_days,
        {{ dbt.datediff('first_sales_date', 'first_support_date', 'day') }}
            as sales_to_support_days,
        {{ c360_normalised_entropy(
            ['marketing_touches', 'sales_touches', 'support_touches'],
            '(marketing_touches + sales_touches + support_touches)') }}
            as cross_stage_engagement_consistency,
        -- transaction types and activity channels used in the last 365 days, funnel stages ever
        -- touched
        transaction_types_12m
        + coalesce(channels_12m, 0)
        + case
            when has_funnel_events
                then
                    case when marketing_touches > 0 then 1 else 0 end
                    + case when sales_touches > 0 then 1 else 0 end
                    + case when support_touches > 0 then 1 else 0 end
            else 0
        end as touchpoint_kinds_12m
    from latest
)

select * from final
