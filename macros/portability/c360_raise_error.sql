{#
    An expression that stops the query with `message` (a SQL text expression) when a row
    evaluates it: put it in a CASE branch that only the failing row reaches. DuckDB has error(),
    Spark 3.1+ raise_error(); both return NULL typed for any cast.
#}
{% macro c360_raise_error(message) %}
    {{ return(adapter.dispatch('c360_raise_error', 'customer360')(message)) }}
{% endmacro %}

{% macro default__c360_raise_error(message) -%}
    error({{ message }})
{%- endmacro %}

{% macro spark__c360_raise_error(message) -%}
    raise_error({{ message }})
{%- endmacro %}
