{#
    Given checks [(condition, reason, column), ...] in order of precedence, render two columns:
    `rejection_reason` (the reason of the first condition that holds, NULL when none does) and
    `rejected_column` (the column it concerns). One reason per row keeps
    rows read = accepted + rejected exact.
#}
{% macro c360_first_failed_check(checks) %}
    case
        {%- for condition, reason, column in checks %}
        when {{ condition }} then '{{ reason }}'
        {%- endfor %}
    end as rejection_reason,
    case
        {%- for condition, reason, column in checks %}
        when {{ condition }} then '{{ column }}'
        {%- endfor %}
    end as rejected_column
{% endmacro %}
