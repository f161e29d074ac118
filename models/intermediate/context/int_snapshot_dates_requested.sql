{#
    The snapshot dates this run's history holds (SPEC section 7): as_of_date (months_before = 0)
    and the last day of each of the `history_months` calendar months before as_of_date's month
    (months_before = k: the last day of the k-th month before). int_snapshot_dates decides
    which of them this run computes.
#}
{%- set history_months = c360_validated_whole_number('history_months', 0, 600) -%}
{%- set month_end = dbt.dateadd('day', -1, dbt.dateadd(
    'month', '1 - offsets.months_before', dbt.date_trunc('month', 'as_of.as_of_date'))) -%}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

offsets as (
    select 0 as months_before
    {%- for months_before in range(1, history_months + 1) %}
        union all
        select {{ months_before }} as months_before
    {%- endfor %}
),

final as (
    select
        case
            when offsets.months_before = 0 then as_of.as_of_date
            else cast({{ month_end }} as date)
        end as snapshot_date,
        offsets.months_before,
        as_of.as_of_date
    from offsets
    cross join as_of
)

select * from final
