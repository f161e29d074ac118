{#
    Accepted activity events reduced to one row per customer and computed snapshot date T, using
    those dated <= T: the latest event date, the events in the trailing `engagement_window_days`
    (dates d with T - N < d <= T), and the channels used in the trailing 365 days.
    Activity is the largest source, so it is read once and no event is joined to every later
    snapshot. The computed snapshot dates cut time into periods: each event falls in the period
    that the first computed snapshot on or after it closes (events after the latest one fall in
    none). Events are counted per customer, channel and period, together with, for each
    snapshot whose engagement window starts inside that period, the events after the start.
    Then, per customer and snapshot T:
    - the latest period on or before T gives the latest event date and the running event count;
    - events in the window = running count at T - running count at the period holding the
      window's start + that period's events after the start;
    - a channel counts while its latest event on or before T is less than 365 days old.
    A full build cuts time at every month end; a month added to a kept history computes one
    snapshot, so it counts one period per customer and channel, as the snapshot build does.
    An event's period is its date's key (c360_snapshot_period) looked up in int_snapshot_periods.
#}
{%- set engagement_window_days = c360_validated_number('engagement_window_days', 1) -%}
{%- set channel_window_days = 365 -%}
{#- Window starts one period can hold: those of the computed snapshots in the N days after the
    period's end, which are month ends and as_of_date, one per 28 days and two more at most. -#}
{%- set window_start_slots = range(1, (engagement_window_days | int) // 28 + 4) | list -%}
{%- set channel_age_days = dbt.datediff(
    'by_channel_spans.last_event_date', 'snapshot_dates.snapshot_date', 'day') -%}

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

-- the periods, and the bounds c360_snapshot_period takes to give a date its period_key
period_keys as (
    select
        period_key,
        period_end_date,
        earliest_snapshot_date,
        as_of_date
    from {{ ref('int_snapshot_periods') }}
),

range_bounds as (
    select
        min(earliest_snapshot_date) as earliest_snapshot_date,
        max(as_of_date) as as_of_date
    from period_keys
),

-- each computed snapshot's engagement window starts after window_start_date, which lies in the
-- period that window_start_period closes; a period holds at most as many starts as there are
-- window_start_slots
window_starts as (
    select
        snapshot_dates.snapshot_date,
        {{ dbt.dateadd('day', -engagement_window_days, 'snapshot_dates.snapshot_date') }}
            as window_start_date,
        period_keys.period_end_date as window_start_period
    from snapshot_dates
    cross join range_bounds
    inner join period_keys
        on period_keys.period_key = {{ c360_snapshot_period(
            dbt.dateadd('day', -engagement_window_days, 'snapshot_dates.snapshot_date'),
            'range_bounds.earliest_snapshot_date', 'range_bounds.as_of_date') }}
),

numbered_window_starts as (
    select
        *,
        row_number() over (partition by window_start_period order by snapshot_date) as start_slot
    from window_starts
),

periods as (
    select
        {% for slot in window_start_slots -%}
            max(case
                when numbered_window_starts.start_slot = {{ slot }}
                    then numbered_window_starts.window_start_date
            end) as window_start_{{ slot }},
        {% endfor -%}
        snapshot_dates.snapshot_date as period_end_date
    from snapshot_dates
    left join numbered_window_starts
        on snapshot_dates.snapshot_date = numbered_window_starts.window_start_period
    group by snapshot_dates.snapshot_date
),

-- the period keys with their period's window starts: one small table each event is joined to
keyed_periods as (
    select
        period_keys.period_key,
        periods.*
    from period_keys
    inner join periods
        on period_keys.period_end_date = periods.period_end_date
),

by_channel_period as (
    select
        activity_events.customer_id,
        activity_events.channel,
        periods.period_end_date,
        {% for slot in window_start_slots -%}
            sum(case when activity_events.event_date > periods.window_start_{{ slot }} then 1 else 0 end)
                as events_after_window_start_{{ slot }},
        {% endfor -%}
        max(activity_events.event_date) as last_event_date,
        count(*) as events
    from activity_events
    cross join range_bounds
    inner join keyed_periods as periods
        on {{ c360_snapshot_period(
            'activity_events.event_date', 'range_bounds.earliest_snapshot_date',
            'range_bounds.as_of_date') }} = periods.period_key
    group by activity_events.customer_id, activity_events.channel, periods.period_end_date
),

by_period as (
    select
        customer_id,
        period_end_date,
        max(last_event_date) as last_event_date,
        sum(events) as events,
        {% for slot in window_start_slots -%}
            sum(events_after_window_start_{{ slot }}) as events_after_window_start_{{ slot }},
        {% endfor -%}
        sum(sum(events)) over (
            partition by customer_id order by period_end_date
            rows between unbounded preceding and current row
        ) as events_to_date
    from by_channel_period
    group by customer_id, period_end_date
),

-- the periods with events as intervals: each is the latest one until the next
by_period_spans as (
    select
        *,
        coalesce(
            lead(period_end_date) over (partition by customer_id order by period_end_date),
            cast('9999-12-31' as date)
        ) as next_period_end_date
    from by_period
),

by_channel_spans as (
    select
        *,
        coalesce(
            lead(period_end_date) over (partition by customer_id, channel order by period_end_date),
            cast('9999-12-31' as date)
        ) as next_period_end_date
    from by_channel_period
),

latest_at_snapshot as (
    select
        by_period_spans.customer_id,
        snapshot_dates.snapshot_date,
        by_period_spans.last_event_date as last_activity_date,
        by_period_spans.events_to_date
    from by_period_spans
    inner join snapshot_dates
        on by_period_spans.period_end_date <= snapshot_dates.snapshot_date
            and by_period_spans.next_period_end_date > snapshot_dates.snapshot_date
),

latest_at_window_start as (
    select
        by_period_spans.customer_id,
        numbered_window_starts.snapshot_date,
        by_period_spans.events_to_date
    from by_period_spans
    inner join numbered_window_starts
        on by_period_spans.period_end_date <= numbered_window_starts.window_start_period
            and by_period_spans.next_period_end_date > numbered_window_starts.window_start_period
),

after_window_start as (
    select
        by_period.customer_id,
        numbered_window_starts.snapshot_date,
        case numbered_window_starts.start_slot
            {% for slot in window_start_slots -%}
                when {{ slot }} then by_period.events_after_window_start_{{ slot }}
            {% endfor -%}
        end as events_after_window_start
    from by_period
    inner join numbered_window_starts
        on by_period.period_end_date = numbered_window_starts.window_start_period
),

channels_in_window as (
    select
        by_channel_spans.customer_id,
        snapshot_dates.snapshot_date,
        count(*) as channels_12m
    from by_channel_spans
    inner join snapshot_dates
        on by_channel_spans.period_end_date <= snapshot_dates.snapshot_date
            and by_channel_spans.next_period_end_date > snapshot_dates.snapshot_date
    where {{ channel_age_days }} < {{ channel_window_days }}
    group by by_channel_spans.customer_id, snapshot_dates.snapshot_date
),

final as (
    select
        latest_at_snapshot.customer_id,
        latest_at_snapshot.snapshot_date,
        latest_at_snapshot.last_activity_date,
        latest_at_snapshot.events_to_date
        - coalesce(latest_at_window_start.events_to_date, 0)
        + coalesce(after_window_start.events_after_window_start, 0) as events_in_engagement_window,
        coalesce(channels_in_window.channels_12m, 0) as channels_12m
    from latest_at_snapshot
    left join latest_at_window_start
        on latest_at_snapshot.customer_id = latest_at_window_start.customer_id
            and latest_at_snapshot.snapshot_date = latest_at_window_start.snapshot_date
    left join after_window_start
        on latest_at_snapshot.customer_id = after_window_start.customer_id
            and latest_at_snapshot.snapshot_date = after_window_start.snapshot_date
    left join channels_in_window
        on latest_at_snapshot.customer_id = channels_in_window.customer_id
            and latest_at_snapshot.snapshot_date = channels_in_window.snapshot_date
)

select * from final
