{#
    The engine-neutral family of a physical column type as the engine describes it: text,
    integer, decimal, float, timestamp (a date or a timestamp without time zone), timestamptz
    (an instant: a timestamp with time zone), null (a Parquet column of the null type, which
    pandas and Arrow write for a column holding nothing but nulls) or other.
    c360_raw_type_fits decides on the family, so both engines apply one contract check.
#}
{% macro c360_raw_type_family(actual_type) %}
    {{ return(adapter.dispatch('c360_raw_type_family', 'customer360')(actual_type)) }}
{% endmacro %}

{% macro default__c360_raw_type_family(actual_type) %}
    {#- DuckDB quotes the null type's name, a keyword: "NULL" -#}
    {%- set base = actual_type.split('(')[0] | trim | upper | replace('"', '') -%}
    {%- if base == 'VARCHAR' -%}{{ return('text') }}
    {%- elif base in ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT',
                      'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'] -%}{{ return('integer') }}
    {%- elif base == 'DECIMAL' -%}{{ return('decimal') }}
    {%- elif base in ['FLOAT', 'DOUBLE'] -%}{{ return('float') }}
    {%- elif base in ['TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS', 'DATE'] -%}
        {{ return('timestamp') }}
    {%- elif base in ['TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ'] -%}{{ return('timestamptz') }}
    {%- elif base == 'NULL' -%}{{ return('null') }}
    {%- else -%}{{ return('other') }}
    {%- endif -%}
{% endmacro %}

{#
    Spark's `timestamp` is TIMESTAMP_LTZ (an instant, like DuckDB's TIMESTAMPTZ); Parquet
    timestamps written without a zone read as timestamp_ntz.
#}
{% macro spark__c360_raw_type_family(actual_type) %}
    {%- set base = actual_type.split('(')[0] | trim | upper -%}
    {%- if base in ['STRING', 'VARCHAR', 'CHAR'] -%}{{ return('text') }}
    {%- elif base in ['TINYINT', 'SMALLINT', 'INT', 'INTEGER', 'BIGINT', 'BYTE', 'SHORT',
                      'LONG'] -%}{{ return('integer') }}
    {%- elif base in ['DECIMAL', 'DEC', 'NUMERIC'] -%}{{ return('decimal') }}
    {%- elif base in ['FLOAT', 'REAL', 'DOUBLE'] -%}{{ return('float') }}
    {%- elif base in ['TIMESTAMP_NTZ', 'DATE'] -%}{{ return('timestamp') }}
    {%- elif base in ['TIMESTAMP', 'TIMESTAMP_LTZ'] -%}{{ return('timestamptz') }}
    {%- elif base in ['VOID', 'NULL'] -%}{{ return('null') }}
    {%- else -%}{{ return('other') }}
    {%- endif -%}
{% endmacro %}
