{#
    An amount as decimal(18,2); NULL when it does not parse or carries sub-cent digits
    (12.345 does not fit decimal(18,2), and rounding it silently would break "correct to the cent").
#}
{% macro c360_parse_money(column) -%}
    case
        when {{ c360_try_cast(column, 'decimal(38, 9)') }}
            = {{ c360_try_cast(column, 'decimal(18, 2)') }}
            then {{ c360_try_cast(column, 'decimal(18, 2)') }}
    end
{%- endmacro %}
