{#
    An integer read from text or any numeric type; NULL when the value is not a whole number
    (a plain cast would round 3.5 to 4 and hide the bad value).
#}
{% macro c360_parse_integer(column) -%}
    case
        when {{ dbt.safe_cast(column, 'decimal(38, 9)') }}
            = floor({{ dbt.safe_cast(column, 'decimal(38, 9)') }})
            then {{ dbt.safe_cast(dbt.safe_cast(column, 'decimal(38, 9)'), 'integer') }}
    end
{%- endmacro %}
