{# Where raw files live: C360_RAW_DIR, else data/raw relative to the project root. #}
{% macro c360_raw_dir() %}
    {{ return(env_var('C360_RAW_DIR', 'data/raw') | replace('\\', '/') | trim) }}
{% endmacro %}

{% macro c360_raw_schema() %}
    {{ return('raw') }}
{% endmacro %}

{# A string literal's content: quotes doubled (DuckDB and Spark 4 both read '' as one quote). #}
{% macro c360_sql_escape(text) %}
    {{ return(text | replace("'", "''")) }}
{% endmacro %}

{#
    A path that DuckDB's file readers take literally: they expand `*`, `?` and `[...]` as a
    glob, so each is written as a one-character class (`[` as `[[]`). On Spark the path is
    passed as it is (a Hadoop path with glob characters is not supported there).
#}
{% macro c360_glob_escape(path) %}
    {{ return(adapter.dispatch('c360_glob_escape', 'customer360')(path)) }}
{% endmacro %}

{% macro default__c360_glob_escape(path) %}
    {{ return(path | replace('[', '[[]') | replace('*', '[*]') | replace('?', '[?]')) }}
{% endmacro %}

{% macro spark__c360_glob_escape(path) %}
    {{ return(path) }}
{% endmacro %}

{#
    The contract tables of source `customer360` as a list of
    {name, required, columns: [{name, data_type}]}, read from the source YAML so that the
    contract is written down once.
#}
{% macro c360_contract_tables() %}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values()
            | selectattr('source_name', 'equalto', 'customer360')
            | rejectattr('meta.generated', 'defined') | sort(attribute='name') -%}
        {%- set columns = [] -%}
        {%- for column in node.columns.values() -%}
            {%- do columns.append({'name': column.name, 'data_type': column.data_type}) -%}
        {%- endfor -%}
        {%- do tables.append({
            'name': node.name,
            'required': node.meta.get('required', false),
            'columns': columns}) -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}

{#
    The file for a table: <table>.parquet preferred over <table>.csv; none when neither exists.
    `file_names` are the names of the files in raw_dir (c360_raw_file_names, listed once a run).
#}
{% macro c360_find_raw_file(raw_dir, table_name, file_names) %}
    {%- set candidates = [] -%}
    {%- for file_format in ['parquet', 'csv'] -%}
        {%- if (table_name ~ '.' ~ file_format) in file_names -%}
            {%- do candidates.append({
                'path': raw_dir ~ '/' ~ table_name ~ '.' ~ file_format,
                'format': file_format}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if candidates | length > 1 -%}
        {{ exceptions.warn("customer360: both " ~ table_name ~ ".parquet and " ~ table_name
            ~ ".csv exist in '" ~ raw_dir ~ "'; reading the Parquet file") }}
    {%- endif -%}
    {{ return(candidates[0] if candidates else none) }}
{% endmacro %}

{#
    For a table whose file was not found: '' or a hint naming the files of the directory that
    look meant for it but are not read (`Transactions.csv`, `transactions.csv.gz`,
    `activity-events.parquet`), since a raw file's name must be exactly <table>.parquet or
    <table>.csv.
#}
{% macro c360_near_raw_files_hint(table_name, file_names) %}
    {%- set near = [] -%}
    {%- for name in file_names | sort -%}
        {%- set stem = (name | lower).split('.')[0] | replace('-', '_') | replace(' ', '_') -%}
        {%- if stem == table_name -%}
            {%- do near.append("'" ~ name ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not near -%}{{ return('') }}{%- endif -%}
    {{ return('; found ' ~ near | join(', ') ~ ', which is not read: a raw file is named exactly '
        ~ table_name ~ '.parquet or ' ~ table_name ~ '.csv, in lower case') }}
{% endmacro %}

{% macro c360_empty_raw_view_sql(table) %}
    {%- set columns = [] -%}
    {%- for column in table.columns -%}
        {%- do columns.append(
            'cast(null as ' ~ c360_sql_type(column.data_type) ~ ') as ' ~ column.name) -%}
    {%- endfor -%}
    {{ return('create or replace view ' ~ c360_raw_schema() ~ '.' ~ table.name ~ ' as select '
        ~ columns | join(', ') ~ ' where false') }}
{% endmacro %}

{# Fail with the table, file and column when a column is missing or its type cannot hold it. #}
{% macro c360_check_raw_columns(table, path, reader) %}
    {%- set described = run_query('describe select * from ' ~ reader) -%}
    {%- set actual = {} -%}
    {%- for row in described.rows -%}
        {%- do actual.update({row[0] | lower: row[1] | upper}) -%}
    {%- endfor -%}
    {%- for column in table.columns -%}
        {%- if column.name not in actual -%}
            {{ exceptions.raise_compiler_error(
                "customer360: raw table '" ~ table.name ~ "' (file '" ~ path ~ "') has no column '"
                ~ column.name ~ "'; the contract expects " ~ column.data_type ~ ". Columns found: "
                ~ actual.keys() | list | sort | join(', ') ~ c360_csv_delimiter_hint(path, actual)) }}
        {%- endif -%}
        {%- if not c360_raw_type_fits(column.data_type, actual[column.name]) -%}
            {{ exceptions.raise_compiler_error(
                "customer360: raw table '" ~ table.name ~ "' (file '" ~ path ~ "') column '"
                ~ column.name ~ "' has type " ~ actual[column.name] ~ "; the contract expects "
                ~ column.data_type ~ " (" ~ c360_raw_type_hint(column.data_type) ~ ")") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(actual) }}
{% endmacro %}

{#
    When a CSV file's header reads as one column holding another common delimiter
    (`ticket_id;customer_id;...`), the hint that names it and var csv_delimiter; else ''.
#}
{% macro c360_csv_delimiter_hint(path, actual) %}
    {%- set names = actual.keys() | list -%}
    {%- if path.endswith('.csv') and names | length == 1 -%}
        {%- for delimiter, label in [(';', "';'"), ('\t', 'a tab'), ('|', "'|'"), (',', "','")] -%}
            {%- if delimiter != var('csv_delimiter') and delimiter in names[0] -%}
                {{ return("; the header looks delimited by " ~ label
                    ~ ", not var csv_delimiter ('" ~ var('csv_delimiter') ~ "'): set the var"
                    ~ " or write the file with '" ~ var('csv_delimiter') ~ "'") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#
    The expression the raw view exposes for one contract column read with `actual_type`:
    - text is trimmed, and text left empty is NULL (' C001' and 'C001' are one key);
    - text of a number with a digit separator (`1_000`, which DuckDB's cast reads as 1000 and
      Spark's as NULL) becomes `not a number: 1_000`, which staging rejects as unparseable on
      both engines, with that text in its raw row;
    - a timestamp with a time zone (Parquet TIMESTAMPTZ), or ISO text with an offset or a zone
      (`2025-01-01T10:00:00+02:00`), is converted to var `time_zone` before staging takes its
      day; a timestamp without one is taken to be in `time_zone` already;
    - a 32-bit float (Parquet FLOAT) is read as the text of its shortest decimal form: 19.99
      stored as a float is 19.9899997711..., which no cast to cents takes as 19.99, while its
      text is `19.99` (a 64-bit DOUBLE converts exactly as it is);
    - a null-typed Parquet column (all NULL) is NULL of the contract's type, so staging reads it
      as it reads any NULL of that column (a NULL signup_date is rejected, a NULL industry kept).
#}
{% macro c360_raw_column_sql(column, actual_type) %}
    {%- set family = c360_raw_type_family(actual_type) -%}
    {%- set contract = column.data_type | lower -%}
    {%- if actual_type | trim | upper in ['FLOAT', 'FLOAT4', 'REAL'] -%}
        {{ return('cast(' ~ column.name ~ ' as ' ~ c360_sql_type('varchar') ~ ') as '
            ~ column.name) }}
    {%- elif family == 'null' -%}
        {{ return('cast(null as ' ~ c360_sql_type(column.data_type) ~ ') as ' ~ column.name) }}
    {%- elif family == 'timestamptz' -%}
        {{ return(c360_timestamptz_in_zone(column.name, var('time_zone')) ~ ' as ' ~ column.name) }}
    {%- elif family == 'text' and contract in ['date', 'timestamp'] -%}
        {{ return(c360_text_timestamp_in_zone("nullif(trim(" ~ column.name ~ "), '')",
            var('time_zone')) ~ ' as ' ~ column.name) }}
    {%- elif family == 'text' and (contract == 'integer' or contract.startswith('decimal')) -%}
        {%- set text = "nullif(trim(" ~ column.name ~ "), '')" -%}
        {{ return("case when instr(" ~ text ~ ", '_') > 0 then 'not a number: ' || " ~ text
            ~ " else " ~ text ~ " end as " ~ column.name) }}
    {%- elif family == 'text' -%}
        {{ return("nullif(trim(" ~ column.name ~ "), '') as " ~ column.name) }}
    {%- endif -%}
    {{ return(column.name) }}
{% endmacro %}

{# A timestamp with time zone as the wall-clock timestamp (without zone) in `zone`. #}
{% macro c360_timestamptz_in_zone(expression, zone) %}
    {{ return(adapter.dispatch('c360_timestamptz_in_zone', 'customer360')(expression, zone)) }}
{% endmacro %}

{% macro default__c360_timestamptz_in_zone(expression, zone) %}
    {{ return("timezone('" ~ c360_sql_escape(zone) ~ "', " ~ expression ~ ")") }}
{% endmacro %}

{% macro spark__c360_timestamptz_in_zone(expression, zone) %}
    {{ return("cast(from_utc_timestamp(" ~ expression ~ ", '" ~ c360_sql_escape(zone)
        ~ "') as timestamp_ntz)") }}
{% endmacro %}

{#
    Text holding a time followed by a time zone (`10:00Z`, `10:00:00+02`, `10:00:00 -05:00`,
    `10:00:00 UTC`, `10:00:00 Europe/Paris`) rewritten as text of the wall-clock time in
    `zone`; other text passes unchanged, and staging parses it (a bare date such as
    `2025-01-01` has no zone: its `-01` is the day, not an offset).

    A zone the engine cannot read makes the value unparseable, never a time taken as if it had
    no zone: DuckDB's plain timestamp cast drops whatever follows the time (`+02`, `Mars/Base`),
    so a value it would still read comes out as `time zone not understood: <the text>`, which
    staging rejects as unparseable_value with the text in its raw row. A value that does not
    parse as a time at all (`2025-13-01T10:00:00+02:00`) passes unchanged, and is rejected the
    same way. Spark reads fewer forms than DuckDB (not `10:00-0500`, for one):
    those rows are rejected there, not misread.
#}
{% macro c360_text_timestamp_in_zone(expression, zone) %}
    {{ return(adapter.dispatch('c360_text_timestamp_in_zone', 'customer360')(expression, zone)) }}
{% endmacro %}

{# A time (H:MM, H:MM:SS, with a fraction) followed by something that is not part of it. #}
{% macro c360_time_zone_suffix_pattern() -%}
    [0-9]:[0-9]{2}(:[0-9]{2}([.,][0-9]*)?)? *[^ 0-9.,:]
{%- endmacro %}

{# `10:00:00 +02:00` as `10:00:00+02:00`, which the engines' casts read (in ISO text a space
   comes before a sign only ahead of an offset). #}
{% macro c360_offset_space_removed(expression) -%}
    replace(replace({{ expression }}, ' +', '+'), ' -', '-')
{%- endmacro %}

{% macro default__c360_text_timestamp_in_zone(expression, zone) %}
    {{ return(c360_zoned_text_sql(
        expression,
        matches="regexp_matches(" ~ expression ~ ", '" ~ c360_time_zone_suffix_pattern() ~ "')",
        instant="try_cast(" ~ c360_offset_space_removed(expression) ~ " as timestamptz)",
        naive_type='timestamp',
        zone=zone)) }}
{% endmacro %}

{% macro spark__c360_text_timestamp_in_zone(expression, zone) %}
    {{ return(c360_zoned_text_sql(
        expression,
        matches=expression ~ " rlike '" ~ c360_time_zone_suffix_pattern() ~ "'",
        instant="try_cast(" ~ c360_offset_space_removed(expression) ~ " as timestamp)",
        naive_type='timestamp_ntz',
        zone=zone)) }}
{% endmacro %}

{#
    The one shape of c360_text_timestamp_in_zone on every engine: where `matches` (a zone after
    the time), the wall-clock text of `instant` in `zone`; failing that, the text itself when it
    is no time without its zone either (cast to `naive_type`), else the text marked as not
    understood; elsewhere the text.
#}
{% macro c360_zoned_text_sql(expression, matches, instant, naive_type, zone) %}
    {{ return("case when " ~ matches ~ " then coalesce(cast("
        ~ c360_timestamptz_in_zone(instant, zone) ~ " as " ~ c360_sql_type('varchar')
        ~ "), case when try_cast(" ~ expression ~ " as " ~ naive_type ~ ") is null then "
        ~ expression ~ " else 'time zone not understood: ' || " ~ expression ~ " end) else "
        ~ expression ~ " end") }}
{% endmacro %}

{#
    Which physical types can carry a contract type. The decision is taken on the engine-neutral
    type family (c360_raw_type_family), so DuckDB and Spark accept and refuse the same files.
    Text is always accepted for scalar columns because staging parses it value by value and
    rejects what does not parse.
#}
{% macro c360_raw_type_fits(contract_type, actual_type) %}
    {%- set family = c360_raw_type_family(actual_type) -%}
    {%- set contract = contract_type | lower -%}
    {#- text holds anything staging can parse; a null-typed column, nothing but NULLs -#}
    {%- if family in ['text', 'null'] -%}{{ return(true) }}{%- endif -%}
    {%- if contract == 'varchar' -%}{{ return(family == 'integer') }}{%- endif -%}
    {%- if contract == 'integer' or contract.startswith('decimal') -%}
        {{ return(family in ['integer', 'float', 'decimal']) }}
    {%- endif -%}
    {%- if contract in ['date', 'timestamp'] -%}
        {{ return(family in ['timestamp', 'timestamptz']) }}
    {%- endif -%}
    {{ return(false) }}
{% endmacro %}

{% macro c360_raw_type_hint(contract_type) %}
    {%- set contract = contract_type | lower -%}
    {%- if contract == 'varchar' -%}{{ return('text or integer') }}
    {%- elif contract == 'integer' -%}{{ return('an integer type, or text holding integers') }}
    {%- elif contract.startswith('decimal') -%}{{ return('a numeric type, or text holding numbers') }}
    {%- else -%}{{ return('a date or timestamp, or ISO text') }}
    {%- endif -%}
{% endmacro %}
