{#
    The distinct-free concatenation of a text expression's values in a group, sorted by the
    text itself and joined by `delimiter` (a SQL string literal), the same on every engine.
    dbt-spark's listagg ignores its order_by_clause, so Spark sorts the collected array.
#}
{% macro c360_sorted_string_agg(expression, delimiter) %}
    {{ return(adapter.dispatch('c360_sorted_string_agg', 'customer360')(expression, delimiter)) }}
{% endmacro %}

{% macro default__c360_sorted_string_agg(expression, delimiter) -%}
    {{ dbt.listagg(expression, delimiter, 'order by ' ~ expression) }}
{%- endmacro %}

{% macro spark__c360_sorted_string_agg(expression, delimiter) -%}
    array_join(array_sort(collect_list({{ expression }})), {{ delimiter }})
{%- endmacro %}
