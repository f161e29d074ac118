{#
    A number read from text or any numeric type, as written (decimal(38, 9)); NULL when the
    value is not a number (`abc`, `NaN`, `Infinity`, or beyond 10^29). Staging checks a
    column's range on it before the column's own type: a number too large for that type is out
    of range, not unparseable; c360_parse_integer and c360_parse_money then leave only the
    fraction they do not take (3.5 employees, a tenth of a cent) as unparseable.
#}
{% macro c360_parse_number(column) -%}
    {{ c360_try_cast(column, 'decimal(38, 9)') }}
{%- endmacro %}
