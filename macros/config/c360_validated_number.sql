{#
    A numeric var checked against [min_value, max_value] (either may be none); a bad value stops
    the run with the var's name, the value and the allowed range.
#}
{% macro c360_validated_number(var_name, min_value=none, max_value=none, value=none) %}
    {%- set number = var(var_name) if value is none else value -%}
    {%- if number is not number or number is sameas true or number is sameas false
            or (min_value is not none and number < min_value)
            or (max_value is not none and number > max_value) -%}
        {{ exceptions.raise_compiler_error("customer360: var " ~ var_name ~ " must be a number in ["
            ~ (min_value if min_value is not none else '-inf') ~ ", "
            ~ (max_value if max_value is not none else 'inf') ~ "], got " ~ number) }}
    {%- endif -%}
    {{ return(number) }}
{% endmacro %}
