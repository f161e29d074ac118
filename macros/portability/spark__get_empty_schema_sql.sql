{#
    dbt checks an enforced contract by casting NULL to each YAML data_type and comparing the
    engine's types with the model's. The contracts here spell types as SPEC does (DuckDB's
    names); on Spark, `varchar` has no unbounded form, so each type goes through c360_sql_type
    first (varchar -> string) and the rest of dbt's check is unchanged. This overrides
    dbt-adapters' macro of the same name for the spark adapter only.
#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = dict(columns[name]) -%}
        {%- if column.get('data_type') is not none -%}
            {%- do column.update({'data_type': c360_sql_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: column}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{% endmacro %}
