{#
    A contract type name (as written in the YAML, DuckDB's spelling) in the engine's SQL.
    Spark has no unbounded `varchar`: its text type is `string`; the other contract types
    (integer, bigint, double, boolean, date, timestamp, decimal(p,s)) are spelt alike.
#}
{% macro c360_sql_type(data_type) %}
    {{ return(adapter.dispatch('c360_sql_type', 'customer360')(data_type)) }}
{% endmacro %}

{% macro default__c360_sql_type(data_type) %}
    {{ return(data_type) }}
{% endmacro %}

{% macro spark__c360_sql_type(data_type) %}
    {{ return('string' if data_type | lower | trim in ['varchar', 'text'] else data_type) }}
{% endmacro %}
