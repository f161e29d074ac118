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

with

customers as (
    select
        customer_id,
        snapshot_date
    from {{ ref('int_customer_snapshots') }}
),

transactions as (
    select
        customer_id,
        snapshot_date,
        last_purchase_date_in_rfm_window,
        purchases_in_rfm_window,
        net_revenue_in_rfm_window
    from {{ ref('int_customer_snapshots_transactions_aggregated') }}
),

rfm_inputs as (
    select
        customers.customer_id,
        customers.snapshot_date,
        {{ dbt.datediff('transactions.last_purchase_date_in_rfm_window', 'customers.snapshot_date', 'day') }}
            as recency_days,
        cast(coalesce(transactions.purchases_in_rfm_window, 0) as integer) as frequency,
        coalesce(transactions.net_revenue_in_rfm_window, 0) as monetary
    from customers
    left join transactions
        on customers.customer_id = transactions.customer_id
            and customers.snapshot_date = transactions.snapshot_date
),

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

ranked_inputs as (
    select * from rfm_inputs
    where frequency > 0
),

ranked_counts as (
    select
        snapshot_date,
        count(*) as ranked_customers
    from ranked_inputs
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
        from ranked_inputs
        group by snapshot_date, {{ measure }}
    ),
{% endfor %}

scored as (
    select
        rfm_inputs.customer_id,
        rfm_inputs.snapshot_date,
        rfm_inputs.recency_days,
        rfm_inputs.frequency,
        rfm_inputs.monetary,
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
        -- rounded to 10 decimals so that equal composites reached from different R/F/M mixes
        -- compare and group as equal (3.1 vs 3.0999999999999996)
        round(
            cast({{ weights.recency }} as double) * recency_score
            + cast({{ weights.frequency }} as double) * frequency_score
            + cast({{ weights.monetary }} as double) * monetary_score,
            10
        ) as rfm_composite_score,
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
