{#- Staged activity events with the checks that need other models: not after an implausible gap
    in the dates (int_as_of_date), not after as_of_date, then a known customer (an event after
    as_of_date is outside the window whoever its customer is: see int_transactions_validated). -#}
{%- set checks = [
    ('cast(event_ts as date) > implausibly_late_after_date', 'implausibly_late', 'event_ts'),
    ('cast(event_ts as date) > as_of_date', 'after_as_of_date', 'event_ts'),
    ('accepted_customers.customer_id is null', 'unknown_customer', 'customer_id'),
] -%}

with

activity_events as (
    select * from {{ ref('stg_customer360__activity_events') }}
),

accepted_customers as (
    select customer_id from {{ ref('int_customers_accepted') }}
),

as_of as (
    select
        as_of_date,
        implausibly_late_after_date
    from {{ ref('int_as_of_date') }}
),

final as (
    select
        activity_events.event_id,
        activity_events.customer_id,
        activity_events.event_ts,
        activity_events.event_type,
        activity_events.channel,
        {{ c360_recheck(checks, ['activity_events.event_id', 'activity_events.customer_id',
            'event_ts', 'event_type', 'channel']) }}
    from activity_events
    cross join as_of
    left join accepted_customers
        on activity_events.customer_id = accepted_customers.customer_id
)

select * from final
