{#- Staged tickets with the checks that need other models: no timestamp after as_of_date, then a
    known customer (see int_transactions_validated for the order). -#}
{%- set checks = [
    ('cast(opened_ts as date) > as_of_date', 'after_as_of_date', 'opened_ts'),
    ('cast(resolved_ts as date) > as_of_date', 'after_as_of_date', 'resolved_ts'),
    ('accepted_customers.customer_id is null', 'unknown_customer', 'customer_id'),
] -%}

with

support_tickets as (
    select * from {{ ref('stg_customer360__support_tickets') }}
),

accepted_customers as (
    select customer_id from {{ ref('int_customers_accepted') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        support_tickets.ticket_id,
        support_tickets.customer_id,
        support_tickets.opened_ts,
        support_tickets.resolved_ts,
        support_tickets.priority,
        support_tickets.csat_score,
        {{ c360_recheck(checks, ['support_tickets.ticket_id', 'support_tickets.customer_id',
            'opened_ts', 'resolved_ts', 'priority', 'csat_score']) }}
    from support_tickets
    cross join as_of
    left join accepted_customers
        on support_tickets.customer_id = accepted_customers.customer_id
)

select * from final
