{#
    A timestamp read from a timestamp, a date or ISO text; NULL when it does not parse, or is not
    a finite time between 1900-01-01 and 3000-01-01 (`infinity`, year 9999: a placeholder, not a
    date, which would otherwise become the analysis date).
#}
{% macro c360_parse_timestamp(column) -%}
    {%- set parsed = c360_try_cast(column, api.Column.translate_type('timestamp')) -%}
    case
        when {{ parsed }} >= {{ c360_timestamp_literal('1900-01-01 00:00:00') }}
            and {{ parsed }} < {{ c360_timestamp_literal('3000-01-01 00:00:00') }}
            then {{ parsed }}
    end
{%- endmacro %}

{# A date read from a date, a timestamp (its day) or ISO text; NULL as c360_parse_timestamp. #}
{% macro c360_parse_date(column) -%}
    cast({{ c360_parse_timestamp(column) }} as date)
{%- endmacro %}

{% macro c360_timestamp_literal(text) -%}
    cast('{{ text }}' as {{ api.Column.translate_type('timestamp') }})
{%- endmacro %}
