{#
    round(expression, digits) half away from zero with the same result on every engine.
    DuckDB rounds a double by its binary value (round(x * 10^d) / 10^d), Spark by its shortest
    decimal text, so a double such as 54.1 * 0.35 (18.934999..., printed 18.935) gave 18.93 on
    one and 18.94 on the other. Spark is made to round the scaled binary value as DuckDB does;
    for exact decimals both already round the same.
#}
{% macro c360_round(expression, digits) %}
    {{ return(adapter.dispatch('c360_round', 'customer360')(expression, digits)) }}
{% endmacro %}

{% macro default__c360_round(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro spark__c360_round(expression, digits) -%}
    (round(({{ expression }}) * {{ 10 ** digits }}, 0) / {{ 10 ** digits }})
{%- endmacro %}
