{#
    A JSON object of the given columns, for the raw row kept with each rejection. A qualified
    column (`transactions.customer_id`) is keyed by its bare name.
#}
{% macro c360_row_to_json(columns) %}
    {{ return(adapter.dispatch('c360_row_to_json', 'customer360')(columns)) }}
{% endmacro %}

{% macro default__c360_row_to_json(columns) -%}
    to_json(struct_pack(
        {%- for column in columns %}
        {{ column.split('.')[-1] }} := {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}

{% macro spark__c360_row_to_json(columns) -%}
    to_json(named_struct(
        {%- for column in columns %}
        '{{ column.split('.')[-1] }}', {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
