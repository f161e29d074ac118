{#
    Accepted tickets reduced to one row per customer: the latest opening date, and over the
    trailing `support_window_days` the tickets opened, their mean CSAT, and the high or urgent
    tickets still open at as_of_date.
#}
{%- set support_window_days = c360_validated_number('support_window_days', 1) -%}

with

support_tickets as (
    select * from {{ ref('int_support_tickets_validated') }}
    where rejection_reason is null
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

dated as (
    select
        support_tickets.customer_id,
        support_tickets.priority,
        support_tickets.csat_score,
        support_tickets.resolved_ts,
        cast(support_tickets.opened_ts as date) as opened_date,
        {{ dbt.datediff('cast(support_tickets.opened_ts as date)', 'as_of.as_of_date', 'day') }}
            as days_before_as_of
    from support_tickets
    cross join as_of
),

final as (
    select
        customer_id,
        max(opened_date) as last_ticket_opened_date,
        sum(case when days_before_as_of < {{ support_window_days }} then 1 else 0 end)
            as tickets_in_support_window,
        avg(case when days_before_as_of < {{ support_window_days }} then csat_score end)
            as mean_csat_in_support_window,
        sum(case
            when resolved_ts is null and priority in ('high', 'urgent') then 1 else 0
        end) as open_escalated_tickets
    from dated
    group by customer_id
)

select * from final
