{#
    A score computed in floating point, kept to 10 decimals before a rule compares it with a
    bound or groups by it. The scores come from decimal figures (weights, money, bounds written
    in vars and seeds); their double arithmetic can land an ulp beside the decimal value, which
    moves a value that is exactly on a bound to the wrong side of it (0.21 against 0.14 gave a
    revenue trend of 0.20000000000000004, above a bound of 0.2) and splits equal values
    (3.1 against 3.0999999999999996). 10 decimals keep every digit a score can mean and drop
    the error. One precision for every score, so a score and its change agree.
#}
{% macro c360_round_score(expression) -%}
    {{ c360_round(expression, 10) }}
{%- endmacro %}
