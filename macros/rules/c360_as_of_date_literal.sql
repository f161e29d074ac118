{#
    The var `as_of_date` as a SQL date literal, or none when it is unset. A value that is not
    an ISO date (YYYY-MM-DD) stops the run with a message instead of a cast error deep in a model.
#}
{% macro c360_as_of_date_literal() %}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none or value | string | trim == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error(
            "customer360: var as_of_date must be an ISO date YYYY-MM-DD, got '" ~ text ~ "'") }}
    {%- endif -%}
    {%- set parts = text.split('-') | map('int') | list -%}
    {%- set days_in_month = [31, 29 if (parts[0] % 4 == 0 and (parts[0] % 100 != 0 or parts[0] % 400 == 0)) else 28,
                             31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {%- if parts[1] < 1 or parts[1] > 12 or parts[2] < 1 or parts[2] > days_in_month[parts[1] - 1] -%}
        {{ exceptions.raise_compiler_error(
            "customer360: var as_of_date is not a calendar date: '" ~ text ~ "'") }}
    {%- endif -%}
    {{ return("cast('" ~ text ~ "' as date)") }}
{% endmacro %}
