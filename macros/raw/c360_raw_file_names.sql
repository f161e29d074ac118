{#
    The names (without directory) of the files directly in raw_dir, listed once per run; an
    empty list when the directory is missing on DuckDB. Spark lists with its binaryFile source
    (only paths are read, not contents), which works on any Hadoop file system (HDFS, S3, ...);
    a missing directory there stops the run with Spark's PATH_NOT_FOUND naming it.
#}
{% macro c360_raw_file_names(raw_dir) %}
    {{ return(adapter.dispatch('c360_raw_file_names', 'customer360')(raw_dir)) }}
{% endmacro %}

{% macro default__c360_raw_file_names(raw_dir) %}
    {%- set listing = run_query(
        "select file from glob('" ~ c360_sql_escape(c360_glob_escape(raw_dir) ~ '/*') ~ "')") -%}
    {{ return(c360_base_names(listing.columns[0].values())) }}
{% endmacro %}

{% macro spark__c360_raw_file_names(raw_dir) %}
    {%- set listing = run_query(
        "select path from binaryFile.`" ~ raw_dir | replace('`', '``') ~ "`") -%}
    {{ return(c360_base_names(listing.columns[0].values())) }}
{% endmacro %}

{# The last component of each path (DuckDB may list Windows paths with backslashes). #}
{% macro c360_base_names(paths) %}
    {%- set names = [] -%}
    {%- for path in paths -%}
        {%- do names.append((path | replace('\\', '/')).split('/')[-1]) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}
