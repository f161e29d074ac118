{%- set checks = [
    ('account_owner_id is null', 'null_key', 'account_owner_id'),
    ('key_versions > 1', 'conflicting_duplicate_key', 'account_owner_id'),
    ('owner_name is null', 'missing_value', 'owner_name'),
    ('team is null', 'missing_value', 'team'),
] -%}

with

source as (
    select * from {{ source('customer360', 'account_owners') }}
),

deduplicated as (
    -- exact duplicate rows count once
    select distinct * from source
),

parsed as (
    select
        *,
        count(*) over (partition by account_owner_id) as key_versions
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
        cast(account_owner_id as {{ dbt.type_string() }}) as account_owner_id,
        cast(owner_name as {{ dbt.type_string() }}) as owner_name,
        cast(team as {{ dbt.type_string() }}) as team,
        rejection_reason,
        rejected_column,
        case
            when rejection_reason is not null
                then {{ c360_row_to_json(['account_owner_id', 'owner_name', 'team']) }}
        end as raw_row
    from checked
)

select * from final
