{#
    on-run-start hook: find each contract table's file in C360_RAW_DIR, check its columns and
    types against the source definitions, and expose it as a view in schema `raw`. A missing
    required file or a column that does not fit stops the run with a message naming the table,
    the file and the column; a missing optional table becomes an empty view and a warning.

    One procedure for every engine: what differs (listing the directory, reading a file, type
    names, the contract check's type families, persisting the inventory) is dispatched in the
    macros it calls, so DuckDB and Spark apply the same contract with the same messages.
#}
{% macro c360_register_raw_tables() %}
    {{ return(adapter.dispatch('c360_register_raw_tables', 'customer360')()) }}
{% endmacro %}

{% macro default__c360_register_raw_tables() %}
    {%- if not execute -%}{{ return('select 1') }}{%- endif -%}
    {%- set raw_dir = c360_raw_dir() -%}
    {%- set inventory = [] -%}
    {%- do run_query('create schema if not exists ' ~ c360_raw_schema()) -%}
    {%- set file_names = c360_raw_file_names(raw_dir) -%}
    {%- for table in c360_contract_tables() -%}
        {%- set found = c360_find_raw_file(raw_dir, table.name, file_names) -%}
        {%- if found is none -%}
            {%- if table.required -%}
                {{ exceptions.raise_compiler_error(
                    "customer360: required raw table '" ~ table.name ~ "' is missing: expected "
                    ~ table.name ~ ".parquet or " ~ table.name ~ ".csv in directory '" ~ raw_dir
                    ~ "' (set C360_RAW_DIR, or run `c360 generate` for demo data)") }}
            {%- endif -%}
            {{ exceptions.warn(
                "customer360: optional raw table '" ~ table.name ~ "' is absent from '" ~ raw_dir
                ~ "'; columns computed only from it will be NULL") }}
            {%- do run_query(c360_empty_raw_view_sql(table)) -%}
            {%- do inventory.append((table.name, none, none, false)) -%}
        {%- else -%}
            {%- set reader = c360_raw_relation_sql(table.name, found.path, found.format) -%}
            {%- do c360_check_raw_columns(table, found.path, reader) -%}
            {%- do run_query(
                'create or replace view ' ~ c360_raw_schema() ~ '.' ~ table.name ~ ' as select '
                ~ table.columns | map(attribute='name') | join(', ') ~ ' from ' ~ reader) -%}
            {%- do inventory.append((table.name, found.path, found.format, true)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(c360_raw_inventory_sql(inventory)) }}
{% endmacro %}

{#
    The statement that keeps the hook's inventory (table, file_path, file_format, is_present)
    as raw.raw_file_inventory: a table on DuckDB; a view over the literals on Spark, where
    `create or replace table` needs a v2 (Delta/Iceberg) table format.
#}
{% macro c360_raw_inventory_sql(inventory) %}
    {{ return(adapter.dispatch('c360_raw_inventory_sql', 'customer360')(inventory)) }}
{% endmacro %}

{% macro default__c360_raw_inventory_sql(inventory) %}
    {{ return('create or replace table ' ~ c360_raw_schema() ~ '.raw_file_inventory as '
        ~ c360_raw_inventory_select(inventory)) }}
{% endmacro %}

{% macro spark__c360_raw_inventory_sql(inventory) %}
    {{ return('create or replace view ' ~ c360_raw_schema() ~ '.raw_file_inventory as '
        ~ c360_raw_inventory_select(inventory)) }}
{% endmacro %}

{% macro c360_raw_inventory_select(inventory) %}
    {%- set text_type = c360_sql_type('varchar') -%}
    {%- set selects = [] -%}
    {%- for row in inventory -%}
        {%- do selects.append(
            "select '" ~ row[0] ~ "' as source_table, "
            ~ ("'" ~ c360_sql_escape(row[1]) ~ "'" if row[1] is not none
               else 'cast(null as ' ~ text_type ~ ')') ~ ' as file_path, '
            ~ ("'" ~ row[2] ~ "'" if row[2] is not none
               else 'cast(null as ' ~ text_type ~ ')') ~ ' as file_format, '
            ~ row[3] ~ ' as is_present') -%}
    {%- endfor -%}
    {{ return(selects | join(' union all ')) }}
{% endmacro %}
