{#
    The mean of a double column computed from an exact decimal sum (12 decimals), so the result
    does not depend on the order in which parallel threads add partial sums: the same mart
    gives bit-for-bit the same summary on every run.
#}
{% macro c360_exact_mean(expression) -%}
    cast(avg(cast({{ expression }} as decimal(38, 12))) as double)
{%- endmacro %}
