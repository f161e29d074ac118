{#- Staged funnel events with the checks that need other models: not after as_of_date, then a
    known customer (see int_transactions_validated for the order). -#}
{%- set checks = [
    ('cast(event_ts as date) > as_of_date', 'after_as_of_date', 'event_ts'),
    ('accepted_customers.customer_id is null', 'unknown_customer', 'customer_id'),
] -%}

with

funnel_events as (
    select * from {{ ref('stg_customer360__funnel_events') }}
),

accepted_customers as (
    select customer_id from {{ ref('int_customers_accepted') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        funnel_events.funnel_event_id,
        funnel_events.customer_id,
        funnel_events.stage,
        funnel_events.event_ts,
        {{ c360_recheck(checks, ['funnel_events.funnel_event_id', 'funnel_events.customer_id',
            'stage', 'event_ts']) }}
    from funnel_events
    cross join as_of
    left join accepted_customers
        on funnel_events.customer_id = accepted_customers.customer_id
)

select * from final
