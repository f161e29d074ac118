{#- The accepted funnel events, with the date a snapshot compares. -#}

with

funnel_events as (
    select * from {{ ref('int_funnel_events_validated') }}
),

final as (
    select
        funnel_event_id,
        customer_id,
        stage,
        event_ts,
        cast(event_ts as date) as event_date
    from funnel_events
    where rejection_reason is null
)

select * from final
