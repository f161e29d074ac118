{#
    A cast that yields NULL instead of failing, so a bad raw value becomes a rejected row rather
    than stopping the build. (dbt.safe_cast renders a plain cast on dbt-duckdb 1.11, which
    fails the whole query on the first unparseable value.) DuckDB and Spark 3.2+ both have
    try_cast; other engines can add an implementation here.
#}
{% macro c360_try_cast(expression, data_type) %}
    {{ return(adapter.dispatch('c360_try_cast', 'customer360')(expression, data_type)) }}
{% endmacro %}

{% macro default__c360_try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
