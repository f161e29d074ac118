{#
    Seed rows as SQL literals on Spark. dbt-spark's own version binds values by pasting them
    into the statement unescaped, so a seed text with a quote ("Can't Lose Them" in
    rfm_segments) breaks the insert, and an empty cell arrives as the text 'None'. Here each
    value is an escaped literal (NULL for an empty cell) cast to the seed's column type. This
    overrides dbt-spark's macro of the same name for the spark adapter only.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set column_types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do column_types.append(column_override.get(
            column_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set tuples = [] -%}
        {%- for row in chunk -%}
            {%- set values = [] -%}
            {%- for value in row -%}
                {%- set literal = 'null' if value is none else "'" ~ (value | string
                    | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'" -%}
                {%- do values.append('cast(' ~ literal ~ ' as ' ~ column_types[loop.index0] ~ ')') -%}
            {%- endfor -%}
            {%- do tuples.append('(' ~ values | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values ' ~ tuples | join(', ') -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}
