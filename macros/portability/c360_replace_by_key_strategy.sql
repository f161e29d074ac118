{#
    Incremental config for "a new run replaces the rows of its key", on every engine:
        incremental_strategy=c360_replace_by_key_strategy(),
        partition_by=c360_replace_by_key_partitions('the_key'),
    DuckDB: delete+insert on the model's unique_key, no partitions. Spark on plain Parquet has
    no delete or merge (they need Delta or Iceberg): the table is partitioned by the key, and
    insert_overwrite with dynamic partition overwrite replaces only the partitions written,
    which gives the same rows.
#}
{% macro c360_replace_by_key_strategy() %}
    {{ return(adapter.dispatch('c360_replace_by_key_strategy', 'customer360')()) }}
{% endmacro %}

{% macro default__c360_replace_by_key_strategy() %}
    {{ return('delete+insert') }}
{% endmacro %}

{% macro spark__c360_replace_by_key_strategy() %}
    {{ return('insert_overwrite') }}
{% endmacro %}

{% macro c360_replace_by_key_partitions(key) %}
    {{ return(adapter.dispatch('c360_replace_by_key_partitions', 'customer360')(key)) }}
{% endmacro %}

{% macro default__c360_replace_by_key_partitions(key) %}
    {{ return(none) }}
{% endmacro %}

{% macro spark__c360_replace_by_key_partitions(key) %}
    {{ return([key]) }}
{% endmacro %}
