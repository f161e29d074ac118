{#- Staged customers with the checks that need the analysis date: no signup after it. -#}
{%- set checks = [
    ('signup_date > as_of_date', 'after_as_of_date', 'signup_date'),
] -%}

with

customers as (
    select * from {{ ref('stg_customer360__customers') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        customers.customer_id,
        customers.customer_name,
        customers.industry,
        customers.region,
        customers.country_code,
        customers.employee_count,
        customers.signup_date,
        customers.account_owner_id,
        {{ c360_recheck(checks, ['customer_id', 'customer_name', 'industry', 'region',
            'country_code', 'employee_count', 'signup_date', 'account_owner_id']) }}
    from customers
    cross join as_of
)

select * from final
