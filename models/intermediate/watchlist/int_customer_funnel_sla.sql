{#
    Funnel SLA waits at as_of_date (SPEC section 7, rules marketing_to_sales_sla and
    sales_to_support_sla): within the trailing `funnel_sla_window_days` (as_of_date - N < d <=
    as_of_date), for each pair of stages (A, B), the first A touch and the first B touch on or
    after it; the wait is the days from the A touch to that B touch, or to as_of_date when no B
    touch has come yet. One row per customer with an accepted funnel event in the window.
#}
{%- set window_days = c360_validated_whole_number('funnel_sla_window_days', 1, 3650) -%}

with

funnel_events as (
    select * from {{ ref('int_funnel_events_accepted') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

window_events as (
    select
        funnel_events.customer_id,
        funnel_events.stage,
        funnel_events.event_date,
        as_of.as_of_date
    from funnel_events
    cross join as_of
    where
        funnel_events.event_date > {{ dbt.dateadd('day', -window_days, 'as_of.as_of_date') }}
        and funnel_events.event_date <= as_of.as_of_date
),

first_touches as (
    select
        customer_id,
        as_of_date,
        min(case when stage = 'marketing' then event_date end) as first_marketing_date,
        min(case when stage = 'sales' then event_date end) as first_sales_date
    from window_events
    group by customer_id, as_of_date
),

answering_touches as (
    select
        first_touches.customer_id,
        min(
            case
                when
                    window_events.stage = 'sales'
                    and window_events.event_date >= first_touches.first_marketing_date
                    then window_events.event_date
            end
        ) as first_sales_after_marketing_date,
        min(
            case
                when
                    window_events.stage = 'support'
                    and window_events.event_date >= first_touches.first_sales_date
                    then window_events.event_date
            end
        ) as first_support_after_sales_date
    from first_touches
    inner join window_events on first_touches.customer_id = window_events.customer_id
    group by first_touches.customer_id
),

final as (
    select
        first_touches.customer_id,
        first_touches.as_of_date,
        first_touches.first_marketing_date,
        answering_touches.first_sales_after_marketing_date,
        cast({{ dbt.datediff(
            'first_touches.first_marketing_date',
            'coalesce(answering_touches.first_sales_after_marketing_date, first_touches.as_of_date)',
            'day') }} as {{ dbt.type_bigint() }}) as marketing_to_sales_wait_days,
        first_touches.first_sales_date,
        answering_touches.first_support_after_sales_date,
        cast({{ dbt.datediff(
            'first_touches.first_sales_date',
            'coalesce(answering_touches.first_support_after_sales_date, first_touches.as_of_date)',
            'day') }} as {{ dbt.type_bigint() }}) as sales_to_support_wait_days
    from first_touches
    inner join answering_touches on first_touches.customer_id = answering_touches.customer_id
)

select * from final
