{%- set columns = ['customer_id', 'customer_name', 'industry', 'region', 'country_code',
    'employee_count', 'signup_date', 'account_owner_id'] -%}
{%- set checks = [
    ('customer_id is null', 'null_key', 'customer_id'),
    ('key_versions > 1', 'conflicting_duplicate_key', 'customer_id'),
    ('customer_name is null', 'missing_value', 'customer_name'),
    ('signup_date is null', 'missing_value', 'signup_date'),
    ('parsed_signup_date is null', 'unparseable_value', 'signup_date'),
    ('employee_count_number is null and ' ~ c360_is_number_beyond_parse('employee_count'),
        'value_out_of_range', 'employee_count'),
    ('employee_count is not null and employee_count_number is null', 'unparseable_value', 'employee_count'),
    ('employee_count_number not between 0 and ' ~ c360_integer_max(), 'value_out_of_range', 'employee_count'),
    ('employee_count is not null and parsed_employee_count is null', 'unparseable_value', 'employee_count'),
    ('country_code is not null and cast(country_code as ' ~ dbt.type_string() ~ ') not in '
        ~ c360_sql_list(c360_iso_country_codes()), 'value_out_of_set', 'country_code'),
] -%}

with

source as (
    select * from {{ source('customer360', 'customers') }}
),

deduplicated as (
    -- exact duplicate rows count once: rows that differ only in how the signup date or the
    -- employee count was written ('2025-01-01' and '2025-01-01 00:00:00', '10' and '10.0') too
    {{ c360_distinct_versions('source', columns, c360_contract_values('customers')) }}
),

parsed as (
    select
        *,
        {{ c360_parse_date('signup_date') }} as parsed_signup_date,
        {{ c360_parse_number('employee_count') }} as employee_count_number,
        {{ c360_parse_integer('employee_count') }} as parsed_employee_count,
        count(*) over (partition by customer_id) as key_versions
    from deduplicated
),

checked as (
    select
        *,
        {{ c360_first_failed_check(checks) }}
    from parsed
),

final as (
    select
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(customer_name as {{ dbt.type_string() }}) as customer_name,
        cast(industry as {{ dbt.type_string() }}) as industry,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(country_code as {{ dbt.type_string() }}) as country_code,
        parsed_employee_count as employee_count,
        parsed_signup_date as signup_date,
        cast(account_owner_id as {{ dbt.type_string() }}) as account_owner_id,
        rejection_reason,
        rejected_column,
        case
            when rejection_reason is not null
                then {{ c360_row_to_json(columns) }}
        end as raw_row
    from checked
)

select * from final
