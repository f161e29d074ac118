{# A timestamp read from a timestamp, a date or ISO text; NULL when it does not parse. #}
{% macro c360_parse_timestamp(column) -%}
    {{ c360_try_cast(column, api.Column.translate_type('timestamp')) }}
{%- endmacro %}

{# A date read from a date, a timestamp (its day) or ISO text; NULL when it does not parse. #}
{% macro c360_parse_date(column) -%}
    cast({{ c360_try_cast(column, api.Column.translate_type('timestamp')) }} as date)
{%- endmacro %}
