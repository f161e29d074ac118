{#
    Accepted activity events reduced to one row per customer: the latest event date, events in
    the trailing `engagement_window_days`, and distinct channels in the trailing 365 days
    (counted in two phases, which is much cheaper than count(distinct) at scale).
#}
{%- set engagement_window_days = c360_validated_number('engagement_window_days', 1) -%}

with

activity_events as (
    select * from {{ ref('int_activity_events_validated') }}
    where rejection_reason is null
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

dated as (
    select
        activity_events.customer_id,
        activity_events.channel,
        cast(activity_events.event_ts as date) as event_date,
        {{ dbt.datediff('cast(activity_events.event_ts as date)', 'as_of.as_of_date', 'day') }}
            as days_before_as_of
    from activity_events
    cross join as_of
),

per_channel as (
    select
        customer_id,
        channel,
        max(event_date) as last_event_date,
        sum(case when days_before_as_of < {{ engagement_window_days }} then 1 else 0 end)
            as events_in_engagement_window,
        max(case when days_before_as_of < 365 then 1 else 0 end) as is_used_in_12m
    from dated
    group by customer_id, channel
),

final as (
    select
        customer_id,
        max(last_event_date) as last_activity_date,
        sum(events_in_engagement_window) as events_in_engagement_window,
        sum(is_used_in_12m) as channels_12m
    from per_channel
    group by customer_id
)

select * from final
