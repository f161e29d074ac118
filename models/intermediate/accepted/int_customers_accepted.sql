{#- The accepted customers: validated rows without a rejection reason. A customer is part of
    the snapshot at date T when signup_date <= T. -#}

with

customers as (
    select * from {{ ref('int_customers_validated') }}
),

final as (
    select
        customer_id,
        customer_name,
        industry,
        region,
        country_code,
        employee_count,
        signup_date,
        account_owner_id
    from customers
    where rejection_reason is null
)

select * from final
