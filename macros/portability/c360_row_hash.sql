{#
    A 64-bit hash of a row's listed columns, as an exact integer that can be summed without
    overflow (the sum of a set of rows' hashes is their order-independent fingerprint).
#}
{% macro c360_row_hash(columns) %}
    {{ return(adapter.dispatch('c360_row_hash', 'customer360')(columns)) }}
{% endmacro %}

{% macro default__c360_row_hash(columns) %}
    cast(hash({{ columns | join(', ') }}) as hugeint)
{% endmacro %}

{% macro spark__c360_row_hash(columns) %}
    cast(xxhash64({{ columns | join(', ') }}) as decimal(38, 0))
{% endmacro %}
