{#
    The comparisons a watchlist rule may use between its metric and its threshold, as written
    in seeds/watchlist_rules.csv (each is also the SQL operator).
#}
{% macro c360_watchlist_comparisons() %}
    {{ return(['>', '>=', '<', '<=', '=', '!=']) }}
{% endmacro %}
