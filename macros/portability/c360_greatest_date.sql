{#
    The latest of several nullable values, NULL only when all are NULL. Engines disagree on
    greatest() with a NULL argument, so each argument is coalesced with the others first: every
    argument is then a present value, and greatest() of them is the latest present one.
#}
{% macro c360_greatest_date(columns) -%}
    greatest(
        {%- for column in columns %}
        coalesce({{ column }}, {{ (columns | reject('equalto', column) | list) | join(', ') }})
        {{- ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
