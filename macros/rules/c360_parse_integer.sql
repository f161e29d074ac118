{#
    An integer read from text or any numeric type; NULL when the value is not a whole number
    (a plain cast would round 3.5 to 4 and hide the bad value).
#}
{% macro c360_parse_integer(column) -%}
    case
        when {{ c360_try_cast(column, 'decimal(38, 9)') }}
            = floor({{ c360_try_cast(column, 'decimal(38, 9)') }})
            then {{ c360_try_cast(c360_try_cast(column, 'decimal(38, 9)'), 'integer') }}
    end
{%- endmacro %}
