{#
    A number as text for a sentence: whole values without decimals (46, -2), others rounded to
    two decimals (0.61); 'n/a' for NULL.
#}
{% macro c360_format_number(expression) -%}
    case
        when {{ expression }} is null then 'n/a'
        when {{ expression }} = floor({{ expression }})
            then cast(cast({{ expression }} as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        else cast({{ c360_round(expression, 2) }} as {{ dbt.type_string() }})
    end
{%- endmacro %}
