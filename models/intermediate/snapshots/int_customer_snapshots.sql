{#
    The spine of the history: one row per accepted customer and computed snapshot date at which
    the customer had signed up (signup_date <= snapshot_date), as a build with
    as_of_date = snapshot_date would hold it. Every per-snapshot model is keyed by
    (customer_id, snapshot_date). It carries only what the rules read (the owner forms the
    portfolio, the signup date the tenure); names and the other descriptive columns join in
    once, where the history row is assembled.
#}

with

customers as (
    select * from {{ ref('int_customers_accepted') }}
),

snapshot_dates as (
    select snapshot_date from {{ ref('int_snapshot_dates') }}
    where is_computed
),

final as (
    select
        customers.customer_id,
        snapshot_dates.snapshot_date,
        customers.account_owner_id,
        customers.signup_date,
        {{ dbt.datediff('customers.signup_date', 'snapshot_dates.snapshot_date', 'day') }}
            as tenure_days
    from customers
    inner join snapshot_dates
        on customers.signup_date <= snapshot_dates.snapshot_date
)

select * from final
