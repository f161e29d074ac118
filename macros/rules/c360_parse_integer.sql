{#
    An integer read from text or any numeric type; NULL when the value is not a whole number
    (a plain cast would round 3.5 to 4 and hide the bad value) or does not fit the integer type.
#}
{% macro c360_parse_integer(column) -%}
    case
        when {{ c360_parse_number(column) }} = floor({{ c360_parse_number(column) }})
            then {{ c360_try_cast(c360_parse_number(column), 'integer') }}
    end
{%- endmacro %}

{# The largest value of the contract's integer type (32 bits), for staging's range checks. #}
{% macro c360_integer_max() -%}
    2147483647
{%- endmacro %}
