{#
    A relation that reads one raw file, for `select ... from <it>`. CSV is read as text (types
    are checked row by row in staging, so a bad value becomes a rejected row instead of failing
    the whole file); Parquet keeps its own types. A CSV file is read by fixed rules, not
    sniffed: a header line, the delimiter of var `csv_delimiter`, RFC 4180 double quotes, the
    encoding of var `csv_encoding`. A malformed line (too many or too few fields, a stray
    quote) is kept in raw.csv_rejected_lines with its line number and text, and the rest of the
    file loads; a line that is not in the encoding stops the run naming the file and the line.
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
    {%- set literal_path = "'" ~ c360_sql_escape(c360_glob_escape(path)) ~ "'" -%}
    {%- if file_format == 'csv' -%}
        {%- set rejects = 'c360_' ~ table_name ~ '__csv_rejects' -%}
        {%- set scans = 'c360_' ~ table_name ~ '__csv_scans' -%}
        {%- do run_query('drop table if exists ' ~ rejects ~ '; drop table if exists ' ~ scans) -%}
        {%- do run_query('create or replace table ' ~ csv_table ~ ' as select * from read_csv('
            ~ literal_path ~ ", header = true, all_varchar = true, auto_detect = true"
            ~ ", delim = '" ~ c360_sql_escape(var('csv_delimiter')) ~ "', quote = '\"'"
            ~ ", escape = '\"', encoding = '" ~ c360_sql_escape(var('csv_encoding')) ~ "'"
            ~ ", ignore_errors = true, store_rejects = true, rejects_table = '" ~ rejects
            ~ "', rejects_scan = '" ~ scans ~ "')") -%}
        {%- set bad_encoding = run_query('select min(line) from ' ~ rejects
            ~ " where error_type = 'INVALID ENCODING'").columns[0].values()[0] -%}
        {%- if bad_encoding is not none -%}
            {{ exceptions.raise_compiler_error(
                "customer360: raw file '" ~ path ~ "' is not valid " ~ var('csv_encoding')
                ~ " at line " ~ bad_encoding ~ "; convert it to UTF-8, or set var csv_encoding"
                ~ " to its encoding (utf-8, utf-16 or latin-1)") }}
        {%- endif -%}
        {%- do c360_check_csv_header(table_name, path, literal_path) -%}
        {#- a line can fail on several columns; it is one rejected line, with its first error -#}
        {%- do run_query('insert into ' ~ c360_raw_schema() ~ ".csv_rejected_lines select '"
            ~ table_name ~ "', line, cast(error_type as varchar), column_name, csv_line,"
            ~ ' error_message from ' ~ rejects
            ~ ' qualify row_number() over (partition by line order by column_idx) = 1') -%}
        {%- do c360_check_csv_lines_accounted(table_name, path, literal_path, csv_table, rejects) -%}
        {{ return(csv_table) }}
    {%- else -%}
        {%- do run_query('drop table if exists ' ~ csv_table) -%}
        {%- do c360_check_parquet_column_names(table_name, path, literal_path) -%}
        {{ return('read_parquet(' ~ literal_path ~ ')') }}
    {%- endif -%}
{% endmacro %}

{% macro spark__c360_raw_relation_sql(table_name, path, file_format) %}
    {%- if file_format == 'csv' -%}
        {%- set csv_table = c360_raw_schema() ~ '.' ~ table_name ~ '__csv_file' -%}
        {%- do run_query('drop table if exists ' ~ csv_table) -%}
        {%- do run_query('create table ' ~ csv_table ~ " using csv options (path '"
            ~ c360_sql_escape(c360_glob_escape(path)) ~ "', header 'true', multiLine 'true'"
            ~ ", escape '\"', sep '" ~ c360_sql_escape(var('csv_delimiter'))
            ~ "', encoding '" ~ c360_sql_escape(var('csv_encoding')) ~ "')") -%}
        {{ return(csv_table) }}
    {%- else -%}
        {{ return("parquet.`" ~ c360_glob_escape(path) | replace('`', '``') ~ "`") }}
    {%- endif -%}
{% endmacro %}

{#
    Stop the run when a CSV header names a column twice (`amount,...,Amount`): the reader would
    rename the second `amount_1` and staging would take the first without a word. Names
    compare as the contract check compares them, trimmed and in lower case. (Spark renames
    both copies, so there the contract check finds the column missing.)
#}
{% macro c360_check_csv_header(table_name, path, literal_path) %}
    {%- set header = run_query('select * from read_csv(' ~ literal_path
        ~ ", header = false, all_varchar = true, auto_detect = true, delim = '"
        ~ c360_sql_escape(var('csv_delimiter')) ~ "', quote = '\"', escape = '\"', encoding = '"
        ~ c360_sql_escape(var('csv_encoding')) ~ "', ignore_errors = true) limit 1") -%}
    {%- set seen = {} -%}
    {%- for value in (header.rows[0] if header.rows else []) -%}
        {%- set name = (value or '') | trim | lower -%}
        {%- if name in seen -%}
            {{ exceptions.raise_compiler_error(
                "customer360: raw table '" ~ table_name ~ "' (file '" ~ path ~ "') names column '"
                ~ name ~ "' twice in its header (columns " ~ seen[name] ~ " and " ~ loop.index
                ~ "); each column must appear once") }}
        {%- endif -%}
        {%- do seen.update({name: loop.index}) -%}
    {%- endfor -%}
{% endmacro %}

{#
    Stop the run when the CSV reader returned fewer records than the file holds lines: every
    non-empty line must end up as the header, a row, a rejected line, or a line break inside a
    quoted value. DuckDB reads a file that mixes line endings (CRLF, with some lines ending in
    a bare LF) by gluing the LF lines into one malformed line, so ten rows would become one
    rejected line and nine would vanish while rows read = accepted + rejected still held. The
    lines are counted by a second, plain read that splits at every line break and knows no
    quotes; only when that count is higher are the breaks inside values counted (a run of
    breaks inside a quoted value splits one record into one more non-empty line).
#}
{% macro c360_check_csv_lines_accounted(table_name, path, literal_path, csv_table, rejects) %}
    {%- set lines = run_query('select count(*) from read_csv(' ~ literal_path
        ~ ", header = false, columns = {'line': 'varchar'}, auto_detect = false"
        ~ ", delim = '\x1f', quote = '', escape = '', new_line = '\\n', strict_mode = false"
        ~ ", ignore_errors = true, encoding = '" ~ c360_sql_escape(var('csv_encoding'))
        ~ "') where line <> ''").columns[0].values()[0] -%}
    {%- set read = run_query('select (select count(*) from ' ~ csv_table ~ ') + (select count('
        ~ 'distinct line) from ' ~ rejects ~ ') + 1').columns[0].values()[0] -%}
    {%- if lines > read -%}
        {%- set names = run_query('describe ' ~ csv_table).columns[0].values() -%}
        {%- set values = [] -%}
        {%- for name in names -%}
            {%- do values.append("coalesce(" ~ adapter.quote(name) ~ ", '')") -%}
        {%- endfor -%}
        {%- set breaks = run_query("select (select coalesce(sum(len(regexp_extract_all("
            ~ values | join(" || chr(31) || ") ~ ", '[\r\n]+'))), 0) from " ~ csv_table
            ~ ") + (select coalesce(sum(breaks), 0) from (select max(len(regexp_extract_all("
            ~ "coalesce(csv_line, ''), '[\r\n]+'))) as breaks from " ~ rejects
            ~ " group by line))").columns[0].values()[0] -%}
        {%- if lines > read + breaks -%}
            {{ exceptions.raise_compiler_error(
                "customer360: raw table '" ~ table_name ~ "' (file '" ~ path ~ "') has "
                ~ lines ~ " non-empty lines, but the CSV reader returned only " ~ (read - 1)
                ~ " rows and rejected lines besides the header (allowing for " ~ breaks
                ~ " line breaks inside values): at least " ~ (lines - read - breaks)
                ~ " lines would be lost. A file that mixes line endings (CRLF on some lines,"
                ~ " a bare LF on others) reads this way; convert it to one line ending"
                ~ " (for example with dos2unix) and build again") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{#
    Stop the run when a Parquet file names a top-level column twice, compared as the contract
    check compares names (trimmed, in lower case): DuckDB renames the second `amount` to
    `amount_1` and staging would read the first without a word. The file's own schema is read
    (parquet_schema lists nested fields too, depth first; only the root's children count).
#}
{% macro c360_check_parquet_column_names(table_name, path, literal_path) %}
    {%- set schema = run_query('select name, coalesce(num_children, 0) from parquet_schema('
        ~ literal_path ~ ')').rows -%}
    {%- set open_groups = [] -%}
    {%- set seen = {} -%}
    {%- for row in schema -%}
        {%- if loop.first -%}
            {%- do open_groups.append(row[1]) -%}
        {%- else -%}
            {%- if open_groups | length == 1 -%}
                {%- set name = row[0] | trim | lower -%}
                {%- if name in seen -%}
                    {{ exceptions.raise_compiler_error(
                        "customer360: raw table '" ~ table_name ~ "' (file '" ~ path
                        ~ "') names column '" ~ name ~ "' twice (as '" ~ seen[name] ~ "' and '"
                        ~ row[0] ~ "'); each column must appear once") }}
                {%- endif -%}
                {%- do seen.update({name: row[0]}) -%}
            {%- endif -%}
            {%- do open_groups.append(open_groups.pop() - 1) -%}
            {%- if row[1] > 0 -%}{%- do open_groups.append(row[1]) -%}{%- endif -%}
            {%- for _ in range(open_groups | length) -%}
                {%- if open_groups | length > 1 and open_groups[-1] == 0 -%}
                    {%- do open_groups.pop() -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
