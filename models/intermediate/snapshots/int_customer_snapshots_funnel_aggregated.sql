{#
    Accepted funnel events reduced to one row per customer and snapshot date T, using those
    dated <= T: the first touch date and the number of touches per stage, and the latest touch.
#}

with

funnel_events as (
    select
        customer_id,
        stage,
        event_date
    from {{ ref('int_funnel_events_accepted') }}
),

snapshot_dates as (
    select snapshot_date from {{ ref('int_snapshot_dates') }}
    where is_computed
),

daily as (
    select
        customer_id,
        stage,
        event_date,
        count(*) as touches
    from funnel_events
    group by customer_id, stage, event_date
),

final as (
    select
        daily.customer_id,
        snapshot_dates.snapshot_date,
        {% for stage in var('funnel_stages') -%}
            min(case when daily.stage = '{{ stage }}' then daily.event_date end)
                as first_{{ stage }}_date,
            sum(case when daily.stage = '{{ stage }}' then daily.touches else 0 end)
                as {{ stage }}_touches,
        {% endfor -%}
        max(daily.event_date) as last_funnel_date
    from daily
    inner join snapshot_dates
        on daily.event_date <= snapshot_dates.snapshot_date
    group by daily.customer_id, snapshot_dates.snapshot_date
)

select * from final
