{{ config(severity='warn') }}
{#
    SPEC section 3: an account_owner_id missing from the account_owners roster raises a warning,
    not a rejection (the customers still form that owner's portfolio). Only checked when the
    roster file is present: an absent roster is already reported by the raw-table hook. One row
    per unknown owner id, with how many accepted customers carry it.
#}

with

customers as (
    select
        customer_id,
        account_owner_id
    from {{ ref('int_customers_validated') }}
    where rejection_reason is null and account_owner_id is not null
),

roster as (
    select account_owner_id from {{ ref('stg_customer360__account_owners') }}
    where rejection_reason is null
),

roster_file as (
    select is_present from {{ ref('stg_customer360__raw_file_inventory') }}
    where source_table = 'account_owners'
),

final as (
    select
        customers.account_owner_id,
        count(*) as customers,
        'account_owner_id ' || customers.account_owner_id || ' of '
        || cast(count(*) as {{ dbt.type_string() }})
        || ' accepted customer(s) is not in the accepted account_owners roster' as failure
    from customers
    cross join roster_file
    left join roster
        on customers.account_owner_id = roster.account_owner_id
    where roster_file.is_present and roster.account_owner_id is null
    group by customers.account_owner_id
)

select * from final
