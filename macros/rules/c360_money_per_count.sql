{#
    money / count rounded to the cent, half away from zero, exactly: in integer cents c and a
    count n > 0 the result is floor((2|c| + n) / (2n)) cents with the sign of c. The division runs
    in double, which is exact here: the quotient is an integer exactly when it is a tie, and
    otherwise lies at least 1/(2n) away from one — far above double's error below 2^53 cents.
    (Rounding the double quotient instead turns 1114.915 into 1114.91 or 1114.92 by luck.)
#}
{% macro c360_money_per_count(money, count) -%}
    cast(
        sign({{ money }})
        * floor((2 * abs(cast({{ money }} * 100 as double)) + {{ count }}) / (2.0 * {{ count }}))
        / 100
        as decimal(18, 2)
    )
{%- endmacro %}
