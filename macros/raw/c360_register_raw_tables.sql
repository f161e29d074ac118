{#
    on-run-start hook: find each contract table's file in C360_RAW_DIR, check its columns and
    types against the source definitions, and expose it as a view in schema `raw` (text
    trimmed, time zones converted to var `time_zone`: c360_raw_column_sql). A missing or empty
    required file (0 bytes, a header only, no row that parses) or a column that does not fit
    stops the run with a message naming the table, the file and the column; a missing or empty
    optional table becomes an empty view and a warning, and counts as absent.

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
    {%- do c360_check_time_zone(var('time_zone')) -%}
    {%- do c360_check_contract_value_types() -%}
    {%- do run_query(c360_csv_rejected_lines_sql()) -%}
    {%- set file_names = c360_raw_file_names(raw_dir) -%}
    {%- for table in c360_contract_tables() -%}
        {%- set found = c360_find_raw_file(raw_dir, table.name, file_names) -%}
        {%- set reader = none -%}
        {%- set empty_reason = none -%}
        {%- set actual_types = {} -%}
        {%- if found is not none and c360_raw_file_size(found.path) == 0 -%}
            {%- set empty_reason = 'is an empty file (0 bytes)' -%}
        {%- elif found is not none -%}
            {%- set reader = c360_raw_relation_sql(table.name, found.path, found.format) -%}
            {%- set actual_types = c360_check_raw_columns(table, found.path, reader) -%}
            {%- set row_count = run_query('select count(*) from ' ~ reader).columns[0].values()[0] -%}
            {%- set empty_reason = 'has no rows' if row_count == 0 else none -%}
        {%- endif -%}
        {%- if found is not none and empty_reason is not none -%}
            {%- if table.required -%}
                {{ exceptions.raise_compiler_error(
                    "customer360: required raw table '" ~ table.name ~ "' (file '" ~ found.path
                    ~ "') " ~ empty_reason ~ "; a build needs at least one " ~ table.name
                    ~ " row (a truncated export?)") }}
            {%- endif -%}
            {{ exceptions.warn(
                "customer360: optional raw table '" ~ table.name ~ "' (file '" ~ found.path
                ~ "') " ~ empty_reason ~ "; treated as absent: columns computed only from it"
                ~ " will be NULL") }}
            {%- do run_query(c360_empty_raw_view_sql(table)) -%}
            {%- do inventory.append((table.name, found.path, found.format, false)) -%}
        {%- elif found is none -%}
            {%- if table.required -%}
                {{ exceptions.raise_compiler_error(
                    "customer360: required raw table '" ~ table.name ~ "' is missing: expected "
                    ~ table.name ~ ".parquet or " ~ table.name ~ ".csv in directory '" ~ raw_dir
                    ~ "' (set C360_RAW_DIR, or run `c360 generate` for demo data)"
                    ~ c360_near_raw_files_hint(table.name, file_names)) }}
            {%- endif -%}
            {{ exceptions.warn(
                "customer360: optional raw table '" ~ table.name ~ "' is absent from '" ~ raw_dir
                ~ "'; columns computed only from it will be NULL"
                ~ c360_near_raw_files_hint(table.name, file_names)) }}
            {%- do run_query(c360_empty_raw_view_sql(table)) -%}
            {%- do inventory.append((table.name, none, none, false)) -%}
        {%- else -%}
            {%- set columns = [] -%}
            {%- for column in table.columns -%}
                {%- do columns.append(c360_raw_column_sql(column, actual_types[column.name])) -%}
            {%- endfor -%}
            {%- do run_query(
                'create or replace view ' ~ c360_raw_schema() ~ '.' ~ table.name ~ ' as select '
                ~ columns | join(', ') ~ ' from ' ~ reader) -%}
            {%- do inventory.append((table.name, found.path, found.format, true)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(c360_raw_inventory_sql(inventory)) }}
{% endmacro %}

{# Stop the run naming var time_zone when the engine does not know the zone. #}
{% macro c360_check_time_zone(zone) %}
    {{ return(adapter.dispatch('c360_check_time_zone', 'customer360')(zone)) }}
{% endmacro %}

{% macro default__c360_check_time_zone(zone) %}
    {%- set known = run_query("select count(*) from pg_timezone_names() where name = '"
        ~ c360_sql_escape(zone | string) ~ "'").columns[0].values()[0] -%}
    {%- if known == 0 -%}
        {{ exceptions.raise_compiler_error(
            "customer360: var time_zone must be an IANA time zone name such as UTC or "
            ~ "Europe/Paris, got '" ~ zone ~ "'") }}
    {%- endif -%}
{% endmacro %}

{% macro spark__c360_check_time_zone(zone) %}
{% endmacro %}

{#
    The size in bytes of a raw file (0: an empty file, which no reader can describe). Spark
    lists the file's length with binaryFile.
#}
{% macro c360_raw_file_size(path) %}
    {{ return(adapter.dispatch('c360_raw_file_size', 'customer360')(path)) }}
{% endmacro %}

{% macro default__c360_raw_file_size(path) %}
    {{ return(run_query("select size from read_blob('" ~ c360_sql_escape(c360_glob_escape(path))
        ~ "')").columns[0].values()[0]) }}
{% endmacro %}

{% macro spark__c360_raw_file_size(path) %}
    {{ return(run_query("select length from binaryFile.`" ~ c360_glob_escape(path)
        | replace('`', '``') ~ "`").columns[0].values()[0]) }}
{% endmacro %}

{#
    The table of malformed CSV lines (source_table, line_number, error_type, column_name,
    raw_line, error_message), emptied at the start of each run and filled as CSV files are read.
#}
{% macro c360_csv_rejected_lines_sql() %}
    {{ return(adapter.dispatch('c360_csv_rejected_lines_sql', 'customer360')()) }}
{% endmacro %}

{% macro default__c360_csv_rejected_lines_sql() %}
    {{ return('create or replace table ' ~ c360_raw_schema() ~ '.csv_rejected_lines ('
        ~ 'source_table varchar, line_number bigint, error_type varchar, column_name varchar, '
        ~ 'raw_line varchar, error_message varchar)') }}
{% endmacro %}

{# Spark reads malformed lines permissively (NULL fields); no line is set aside. #}
{% macro spark__c360_csv_rejected_lines_sql() %}
    {{ return('create or replace view ' ~ c360_raw_schema() ~ '.csv_rejected_lines as select '
        ~ 'cast(null as string) as source_table, cast(null as bigint) as line_number, '
        ~ 'cast(null as string) as error_type, cast(null as string) as column_name, '
        ~ 'cast(null as string) as raw_line, cast(null as string) as error_message where false') }}
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
