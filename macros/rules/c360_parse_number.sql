{#
    A number read from text or any numeric type, as written (decimal(38, 9)); NULL when the
    value is not a number (`abc`, `NaN`, `Infinity`) or too large for decimal(38, 9) (10^29 or
    more). Staging checks a column's range on it before the column's own type: a number too
    large for that type is out of range, not unparseable; c360_parse_integer and
    c360_parse_money then leave only the fraction they do not take (3.5 employees, a tenth of a
    cent) as unparseable.
#}
{% macro c360_parse_number(column) -%}
    {{ c360_try_cast(column, 'decimal(38, 9)') }}
{%- endmacro %}

{#
    True for a finite number of 10^29 or more (`1e30`, a DOUBLE of -1e300), which
    c360_parse_number cannot hold: staging rejects it as out of range, not unparseable, checked
    where that parse is NULL. NaN and infinity (text or DOUBLE) are not numbers: false, and
    unparseable. NaN sorts above every double on DuckDB and Spark, so the bound leaves it out.
#}
{% macro c360_is_number_beyond_parse(column) -%}
    abs({{ c360_try_cast(column, 'double') }}) between 1e29 and 1.7976931348623157e308
{%- endmacro %}
