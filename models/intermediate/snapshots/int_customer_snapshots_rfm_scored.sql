{#
    RFM per snapshot over the trailing `rfm_window_days`. Scores 1-5 by quintile among the
    snapshot's customers with at least one purchase in the window: with k = ranked customers
    whose value is no better than this one's and n = customers ranked, score =
    floor((5k + n - 1) / n) = ceil(5 * cume_dist), in exact integer arithmetic so ties share a
    score and no float rounding moves a boundary. Customers without a purchase in the window
    score 1, 1, 1.
    k is counted per distinct value (a running count over the values of one snapshot) and joined
    back, which is much cheaper than three sorting windows over every customer of every snapshot.
#}
{%- set weights = c360_validated_weights('rfm_weights', ['recency', 'frequency', 'monetary']) -%}
{%- set ranked = 'ranked_counts.ranked_customers' -%}
{#- the RFM inputs, read twice below: for every row, and for the counts of the ranked ones -#}
{%- set rfm_input_columns -%}
    {{ dbt.datediff('last_purchase_date_in_rfm_window', 'snapshot_date', 'day') }} as recency_days,
        cast(purchases_in_rfm_window as integer) as frequency,
        net_revenue_in_rfm_window as monetary
{%- endset %}

with

customers as (
    select * from {{ ref('int_customer_snapshots_tiered') }}
),

-- the same rows read again (not a second reference to a CTE, which DuckDB would materialise
-- whole), for the counts of the customers ranked
customers_ranked as (
    select
        snapshot_date,
        {{ rfm_input_columns }}
    from {{ ref('int_customer_snapshots_tiered') }}
    where purchases_in_rfm_window > 0
),

rfm_inputs as (
    select
        *,
        {{ rfm_input_columns }}
    from customers
),

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

ranked_counts as (
    select
        snapshot_date,
        count(*) as ranked_customers
    from customers_ranked
    group by snapshot_date
),

{% for measure, better in [('recency_days', 'desc'), ('frequency', 'asc'), ('monetary', 'asc')] %}
    {{ measure }}_ranks as (
        select
            snapshot_date,
            {{ measure }},
            sum(count(*)) over (
                partition by snapshot_date order by {{ measure }} {{ better }}
                rows between unbounded preceding and current row
            ) as rank_no_better
        from customers_ranked
        group by snapshot_date, {{ measure }}
    ),
{% endfor %}

scored as (
    select
        rfm_inputs.*,
        case
            when rfm_inputs.frequency > 0
                then {{ c360_quintile_score('recency_days_ranks.rank_no_better', ranked) }}
            else 1
        end as recency_score,
        case
            when rfm_inputs.frequency > 0
                then {{ c360_quintile_score('frequency_ranks.rank_no_better', ranked) }}
            else 1
        end as frequency_score,
        case
            when rfm_inputs.frequency > 0
                then {{ c360_quintile_score('monetary_ranks.rank_no_better', ranked) }}
            else 1
        end as monetary_score
    from rfm_inputs
    left join ranked_counts
        on rfm_inputs.snapshot_date = ranked_counts.snapshot_date
    left join recency_days_ranks
        on rfm_inputs.snapshot_date = recency_days_ranks.snapshot_date
            and rfm_inputs.recency_days = recency_days_ranks.recency_days
    left join frequency_ranks
        on rfm_inputs.snapshot_date = frequency_ranks.snapshot_date
            and rfm_inputs.frequency = frequency_ranks.frequency
    left join monetary_ranks
        on rfm_inputs.snapshot_date = monetary_ranks.snapshot_date
            and rfm_inputs.monetary = monetary_ranks.monetary
),

composited as (
    select
        *,
        -- a score (c360_round_score), so that equal composites reached from different R/F/M
        -- mixes compare and group as equal (3.1 vs 3.0999999999999996)
        {{ c360_round_score(
            'cast(' ~ weights.recency ~ ' as double) * recency_score'
            ~ ' + cast(' ~ weights.frequency ~ ' as double) * frequency_score'
            ~ ' + cast(' ~ weights.monetary ~ ' as double) * monetary_score'
        ) }} as rfm_composite_score,
        monetary_score - cast(recency_score + frequency_score as double) / 2 as monetary_bias
    from scored
),

final as (
    select
        composited.*,
        rfm_segments.rfm_segment
    from composited
    left join rfm_segments
        on composited.recency_score = rfm_segments.recency_score
            and composited.frequency_score = rfm_segments.frequency_score
)

select * from final
