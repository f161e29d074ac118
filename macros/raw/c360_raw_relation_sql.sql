{#
    A relation that reads one raw file, for `select ... from <it>`. CSV is read as text (types
    are checked row by row in staging, so a bad value becomes a rejected row instead of failing
    the whole file); Parquet keeps its own types.
    DuckDB reads Parquet in place. A CSV file is parsed once, into the table
    `raw.<table>__csv_file`: the fact staging models are views that several models read, and
    re-parsing a large CSV for each of them would cost more than the copy.
    Spark reads Parquet by path; a CSV file needs reader options (header, RFC 4180 quotes, as
    DuckDB reads it), which only a table can carry, so it is first registered as an external
    table `raw.<table>__csv_file` (dropping it never touches the file).
#}
{% macro c360_raw_relation_sql(table_name, path, file_format) %}
    {{ return(adapter.dispatch('c360_raw_relation_sql', 'customer360')(
        table_name, path, file_format)) }}
{% endmacro %}

{% macro default__c360_raw_relation_sql(table_name, path, file_format) %}
    {%- set csv_table = c360_raw_schema() ~ '.' ~ table_name ~ '__csv_file' -%}
    {%- if file_format == 'csv' -%}
        {%- do run_query('create or replace table ' ~ csv_table ~ " as select * from read_csv('"
            ~ c360_sql_escape(path) ~ "', header = true, all_varchar = true)") -%}
        {{ return(csv_table) }}
    {%- else -%}
        {%- do run_query('drop table if exists ' ~ csv_table) -%}
        {{ return("read_parquet('" ~ c360_sql_escape(path) ~ "')") }}
    {%- endif -%}
{% endmacro %}

{% macro spark__c360_raw_relation_sql(table_name, path, file_format) %}
    {%- if file_format == 'csv' -%}
        {%- set csv_table = c360_raw_schema() ~ '.' ~ table_name ~ '__csv_file' -%}
        {%- do run_query('drop table if exists ' ~ csv_table) -%}
        {%- do run_query('create table ' ~ csv_table ~ " using csv options (path '"
            ~ c360_sql_escape(path) ~ "', header 'true', multiLine 'true', escape '\"')") -%}
        {{ return(csv_table) }}
    {%- else -%}
        {{ return("parquet.`" ~ path | replace('`', '``') ~ "`") }}
    {%- endif -%}
{% endmacro %}
