{#
    The cut points behind the RFM scores: for each dimension and score, the range of values
    that received it among the customers ranked (those with a purchase in the window) at
    as_of_date.
#}

with

rfm as (
    select
        recency_days,
        frequency,
        monetary,
        recency_score,
        frequency_score,
        monetary_score
    from {{ ref('customer360__customer_value_analysis') }}
    where frequency > 0
),

{% for dimension, value_column in [('recency', 'recency_days'), ('frequency', 'frequency'),
                                   ('monetary', 'monetary')] -%}
    {{ dimension }}_cuts as (
        select
            '{{ dimension }}' as rfm_dimension,
            {{ dimension }}_score as score,
            cast(min({{ value_column }}) as decimal(18, 2)) as min_value,
            cast(max({{ value_column }}) as decimal(18, 2)) as max_value,
            count(*) as customers
        from rfm
        group by {{ dimension }}_score
    ),

{% endfor -%}

final as (
    select * from recency_cuts
    union all
    select * from frequency_cuts
    union all
    select * from monetary_cuts
)

select * from final
