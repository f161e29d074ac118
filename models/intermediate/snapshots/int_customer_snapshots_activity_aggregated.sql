{#
    Accepted activity events reduced to one row per customer and snapshot date T, using those
    dated <= T: the latest event date, the events in the trailing `engagement_window_days`, and
    the channels used in the trailing 365 days.
    Activity is the largest source, so no event is joined to every later snapshot:
    - events are counted per customer and day, and a day joins only the snapshots whose
      engagement window holds it;
    - the latest event per customer (and per channel) is found per period between snapshot
      dates; that row is the latest as of every snapshot until the next period with events,
      and a channel counts at T while its latest event is less than 365 days old.
#}
{%- set engagement_window_days = c360_validated_number('engagement_window_days', 1) -%}

with

activity_events as (
    select
        customer_id,
        event_date,
        channel
    from {{ ref('int_activity_events_accepted') }}
),

snapshot_dates as (
    select snapshot_date from {{ ref('int_snapshot_dates') }}
    where is_computed
),

-- each snapshot closes the period of days after the previous snapshot, up to itself
periods as (
    select
        snapshot_date as period_end_date,
        lag(snapshot_date) over (order by snapshot_date) as previous_period_end_date
    from snapshot_dates
),

daily as (
    select
        customer_id,
        event_date,
        channel,
        count(*) as events
    from activity_events
    group by customer_id, event_date, channel
),

per_channel_period as (
    select
        daily.customer_id,
        daily.channel,
        periods.period_end_date,
        max(daily.event_date) as last_event_date
    from daily
    inner join periods
        on daily.event_date <= periods.period_end_date
            and (periods.previous_period_end_date is null
                or daily.event_date > periods.previous_period_end_date)
    group by daily.customer_id, daily.channel, periods.period_end_date
),

per_channel_latest as (
    select
        customer_id,
        channel,
        period_end_date,
        last_event_date,
        lead(period_end_date) over (
            partition by customer_id, channel order by period_end_date
        ) as next_period_end_date
    from per_channel_period
),

channels_in_window as (
    select
        per_channel_latest.customer_id,
        snapshot_dates.snapshot_date,
        max(per_channel_latest.last_event_date) as last_activity_date,
        sum(case
            when {{ dbt.datediff('per_channel_latest.last_event_date', 'snapshot_dates.snapshot_date', 'day') }}
                < 365 then 1
            else 0
        end) as channels_12m
    from per_channel_latest
    inner join snapshot_dates
        on per_channel_latest.period_end_date <= snapshot_dates.snapshot_date
            and (per_channel_latest.next_period_end_date is null
                or snapshot_dates.snapshot_date < per_channel_latest.next_period_end_date)
    group by per_channel_latest.customer_id, snapshot_dates.snapshot_date
),

events_in_window as (
    select
        daily.customer_id,
        snapshot_dates.snapshot_date,
        sum(daily.events) as events_in_engagement_window
    from daily
    inner join snapshot_dates
        on daily.event_date <= snapshot_dates.snapshot_date
            and daily.event_date > {{ dbt.dateadd('day', -engagement_window_days, 'snapshot_dates.snapshot_date') }}
    group by daily.customer_id, snapshot_dates.snapshot_date
),

final as (
    select
        channels_in_window.customer_id,
        channels_in_window.snapshot_date,
        channels_in_window.last_activity_date,
        coalesce(events_in_window.events_in_engagement_window, 0) as events_in_engagement_window,
        channels_in_window.channels_12m
    from channels_in_window
    left join events_in_window
        on channels_in_window.customer_id = events_in_window.customer_id
            and channels_in_window.snapshot_date = events_in_window.snapshot_date
)

select * from final
