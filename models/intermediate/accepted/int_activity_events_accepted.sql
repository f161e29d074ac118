{#- The accepted activity events, with the date a snapshot compares. -#}

with

activity_events as (
    select * from {{ ref('int_activity_events_validated') }}
),

final as (
    select
        event_id,
        customer_id,
        event_ts,
        cast(event_ts as date) as event_date,
        event_type,
        channel
    from activity_events
    where rejection_reason is null
)

select * from final
