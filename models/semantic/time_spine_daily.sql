{#
    The MetricFlow time spine: one row per day from var `time_spine_start_date` (default: the
    earliest signup_date in the mart) to var `time_spine_end_date` (default: as_of_date). Both
    ends come from vars or the data, never from the wall clock, so a rebuild of the same inputs
    gives the same spine. 2^16 days (about 179 years) is the longest span it can hold.
#}
{%- set max_days = 65536 -%}

with

customers as (
    select * from {{ ref('customer360__customer_value_analysis') }}
),

day_numbers as (
    {{ dbt.generate_series(max_days) }}
),

bounds as (
    select
        {% if var('time_spine_start_date') -%}
            cast('{{ var("time_spine_start_date") }}' as date)
        {%- else -%}
            min(signup_date)
        {%- endif %} as start_date,
        {% if var('time_spine_end_date') -%}
            cast('{{ var("time_spine_end_date") }}' as date)
        {%- else -%}
            max(as_of_date)
        {%- endif %} as end_date
    from customers
),

days as (
    select
        cast(
            {{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'bounds.start_date') }} as date
        ) as date_day,
        bounds.end_date
    from day_numbers
    cross join bounds
),

final as (
    select date_day
    from days
    where date_day <= end_date
)

select * from final
