{#
    The analysis date: var `as_of_date` when set, else the latest transaction or activity date
    among rows that pass staging's checks. Everything downstream is computed against this one
    row, never against the wall clock.
#}
{%- set as_of_literal = c360_as_of_date_literal() -%}

with

transactions as (
    select transaction_ts from {{ ref('stg_customer360__transactions') }}
    where rejection_reason is null
),

activity_events as (
    select event_ts from {{ ref('stg_customer360__activity_events') }}
    where rejection_reason is null
),

latest_dates as (
    select
        (select max(cast(transaction_ts as date)) from transactions) as latest_transaction_date,
        (select max(cast(event_ts as date)) from activity_events) as latest_activity_date
),

final as (
    select
        {% if as_of_literal is not none -%}
        {{ as_of_literal }} as as_of_date
        {%- else -%}
            case
                when latest_activity_date is null then latest_transaction_date
                when latest_transaction_date is null then latest_activity_date
                when latest_activity_date > latest_transaction_date then latest_activity_date
                else latest_transaction_date
            end as as_of_date
        {%- endif %}
    from latest_dates
)

select * from final
