{#
    seeds/rfm_segments.csv names exactly one segment for each of the 25 (recency_score,
    frequency_score) pairs of scores 1-5, so that every customer gets an rfm_segment. One row
    per pair that is missing or repeated.
#}

with

rfm_segments as (
    select
        recency_score,
        frequency_score,
        rfm_segment
    from {{ ref('rfm_segments') }}
),

scores as (
    select 1 as score
    union all
    select 2 as score
    union all
    select 3 as score
    union all
    select 4 as score
    union all
    select 5 as score
),

expected_pairs as (
    select
        recency_scores.score as recency_score,
        frequency_scores.score as frequency_score
    from scores as recency_scores
    cross join scores as frequency_scores
),

counted as (
    select
        expected_pairs.recency_score,
        expected_pairs.frequency_score,
        count(rfm_segments.recency_score) as rows_in_seed
    from expected_pairs
    left join rfm_segments
        on expected_pairs.recency_score = rfm_segments.recency_score
            and expected_pairs.frequency_score = rfm_segments.frequency_score
    group by expected_pairs.recency_score, expected_pairs.frequency_score
),

final as (
    select
        recency_score,
        frequency_score,
        rows_in_seed,
        '(recency_score ' || cast(recency_score as {{ dbt.type_string() }})
        || ', frequency_score ' || cast(frequency_score as {{ dbt.type_string() }})
        || ') appears ' || cast(rows_in_seed as {{ dbt.type_string() }})
        || ' times in seeds/rfm_segments.csv; each of the 25 pairs must appear exactly once'
            as failure
    from counted
    where rows_in_seed != 1
)

select * from final
