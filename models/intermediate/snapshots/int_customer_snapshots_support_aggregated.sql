{#
    Accepted tickets reduced to one row per customer and snapshot date T, using those known by T
    (opened and, if resolved, resolved by T): the latest opening date, and over the trailing
    `support_window_days` the tickets opened and their mean CSAT, and the high or urgent tickets
    still open at T (opened before the window or not).
#}
{%- set support_window_days = c360_validated_number('support_window_days', 1) -%}

with

support_tickets as (
    select
        customer_id,
        opened_date,
        known_date,
        resolved_ts,
        priority,
        csat_score
    from {{ ref('int_support_tickets_accepted') }}
),

snapshot_dates as (
    select snapshot_date from {{ ref('int_snapshot_dates') }}
    where is_computed
),

dated as (
    select
        support_tickets.*,
        snapshot_dates.snapshot_date,
        {{ dbt.datediff('support_tickets.opened_date', 'snapshot_dates.snapshot_date', 'day') }}
            as days_before_snapshot
    from support_tickets
    inner join snapshot_dates
        on support_tickets.known_date <= snapshot_dates.snapshot_date
),

final as (
    select
        customer_id,
        snapshot_date,
        max(opened_date) as last_ticket_opened_date,
        sum(case when days_before_snapshot < {{ support_window_days }} then 1 else 0 end)
            as tickets_in_support_window,
        avg(case when days_before_snapshot < {{ support_window_days }} then csat_score end)
            as mean_csat_in_support_window,
        sum(case
            when resolved_ts is null and priority in ('high', 'urgent') then 1 else 0
        end) as open_escalated_tickets
    from dated
    group by customer_id, snapshot_date
)

select * from final
