{#
    Custom schemas are used as written (staging, intermediate, reference) instead of dbt's
    default `<target>_<custom>`; models without one (the marts) land in the target schema, so
    BI tools find `customer360__customer_value_analysis` by its bare name.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
