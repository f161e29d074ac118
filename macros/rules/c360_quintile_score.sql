{#
    The RFM score ceil(5 * cume_dist) in exact integer arithmetic: with k ranked customers whose
    value is no better than this one's and n ranked, floor((5k + n - 1) / n). The division runs
    in double and is exact here (an integer quotient is exact; otherwise it lies >= 1/n from an
    integer, far above double's error). NULL k (an unranked customer) scores 1.
#}
{% macro c360_quintile_score(rank_no_better, ranked_count) -%}
    coalesce(
        cast(floor((5 * {{ rank_no_better }} + {{ ranked_count }} - 1) / ({{ ranked_count }} * 1.0)) as integer),
        1
    )
{%- endmacro %}
