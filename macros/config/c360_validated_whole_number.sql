{#
    An integer var checked against [min_value, max_value] (either may be none): a fraction, a
    boolean, text or a value out of range stops the run with the var's name and the value.
#}
{% macro c360_validated_whole_number(var_name, min_value=none, max_value=none) %}
    {%- set number = var(var_name) -%}
    {%- if number is not number or number is sameas true or number is sameas false
            or number != (number | int)
            or (min_value is not none and number < min_value)
            or (max_value is not none and number > max_value) -%}
        {{ exceptions.raise_compiler_error("customer360: var " ~ var_name
            ~ " must be a whole number in ["
            ~ (min_value if min_value is not none else '-inf') ~ ", "
            ~ (max_value if max_value is not none else 'inf') ~ "], got " ~ number) }}
    {%- endif -%}
    {{ return(number | int) }}
{% endmacro %}
