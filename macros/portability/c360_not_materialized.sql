{#
    The hint after `as` in a CTE that is read more than once but is cheap to compute again: an
    import CTE that only selects columns of a table. DuckDB materialises a CTE read twice or
    more (it wrote the 9.7M accepted transactions of the 1M benchmark to a temporary buffer:
    4.2 of the transactions aggregate's 6.2 s); `not materialized` lets each reader scan the
    table itself, with its own filters pushed down. Other engines get no hint.
#}
{% macro c360_not_materialized() %}
    {{ return(adapter.dispatch('c360_not_materialized', 'customer360')()) }}
{% endmacro %}

{% macro default__c360_not_materialized() -%}
{%- endmacro %}

{% macro duckdb__c360_not_materialized() -%}
    not materialized
{%- endmacro %}
