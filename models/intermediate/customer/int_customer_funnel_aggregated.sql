{#
    Accepted funnel events reduced to one row per customer: the first touch date and the number
    of touches per stage, and the latest touch date.
#}

with

funnel_events as (
    select * from {{ ref('int_funnel_events_validated') }}
    where rejection_reason is null
),

final as (
    select
        customer_id,
        {% for stage in var('funnel_stages') -%}
            min(case when stage = '{{ stage }}' then cast(event_ts as date) end)
                as first_{{ stage }}_date,
            sum(case when stage = '{{ stage }}' then 1 else 0 end) as {{ stage }}_touches,
        {% endfor -%}
        max(cast(event_ts as date)) as last_funnel_date
    from funnel_events
    group by customer_id
)

select * from final
