{{ config(severity='error') }}
{#
    A mart without a single customer is refused, not published over the last good one: every
    customer was rejected, or signed up after as_of_date (an as_of_date before the data, say).
    One row saying how many customers were read and why they are not in the mart.
#}

with

mart as (
    select count(*) as customers from {{ ref('customer360__customer_value_analysis') }}
),

customers_read as (
    select
        count(*) as rows_staged,
        sum(case when rejection_reason = 'after_as_of_date' then 1 else 0 end)
            as signed_up_later
    from {{ ref('int_customers_validated') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        as_of.as_of_date,
        customers_read.rows_staged,
        customers_read.signed_up_later,
        'the mart holds no customer at as_of_date '
        || cast(as_of.as_of_date as {{ dbt.type_string() }}) || ': of '
        || cast(customers_read.rows_staged as {{ dbt.type_string() }})
        || ' customer row(s) read, '
        || cast(coalesce(customers_read.signed_up_later, 0) as {{ dbt.type_string() }})
        || ' signed up after it and the rest were rejected (customer360__rejected_rows);'
        || ' check var as_of_date and the customers file' as failure
    from mart
    cross join customers_read
    cross join as_of
    where mart.customers = 0
)

select * from final
