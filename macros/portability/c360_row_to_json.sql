{#
    A JSON object of the given columns, for the raw row kept with each rejection. A qualified
    column (`transactions.customer_id`) is keyed by its bare name.
#}
{% macro c360_row_to_json(columns) %}
    {{ return(adapter.dispatch('c360_row_to_json', 'customer360')(columns)) }}
{% endmacro %}

{#
    DuckDB writes a non-finite DOUBLE (a Parquet amount of NaN, say) as the bare token NaN,
    Infinity or -Infinity, which no strict JSON reader takes. Such a row's values are written as
    JSON strings ("NaN"), as Spark writes them; every other row keeps to_json's own text.
#}
{% macro default__c360_row_to_json(columns) -%}
    {%- set as_written -%}
    to_json(struct_pack(
        {%- for column in columns %}
        {{ column.split('.')[-1] }} := {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
    {%- endset -%}
    case
        when regexp_matches(cast({{ as_written }} as varchar), '[:,](NaN|-?Infinity)[,}]')
            then to_json(struct_pack(
                {%- for column in columns %}
                {{ column.split('.')[-1] }} := {{ c360_finite_json_value(column) }}{{ ',' if not loop.last }}
                {%- endfor %}
            ))
        else {{ as_written }}
    end
{%- endmacro %}

{# One value as JSON, a non-finite number as a JSON string (DuckDB). #}
{% macro c360_finite_json_value(column) -%}
    case
        when cast(to_json({{ column }}) as varchar) in ('NaN', 'Infinity', '-Infinity')
            then to_json(cast(to_json({{ column }}) as varchar))
        else to_json({{ column }})
    end
{%- endmacro %}

{% macro spark__c360_row_to_json(columns) -%}
    to_json(named_struct(
        {%- for column in columns %}
        '{{ column.split('.')[-1] }}', {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
