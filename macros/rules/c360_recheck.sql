{#
    Add row checks that need other models (unknown customer, after as_of_date) to a staged
    relation that already carries `rejection_reason`, `rejected_column` and `raw_row`: a reason
    found in staging wins, and a newly rejected row gets its raw row as JSON.
#}
{% macro c360_recheck(checks, row_columns) %}
    coalesce(rejection_reason, case
        {%- for condition, reason, column in checks %}
        when {{ condition }} then '{{ reason }}'
        {%- endfor %}
    end) as rejection_reason,
    coalesce(rejected_column, case
        {%- for condition, reason, column in checks %}
        when {{ condition }} then '{{ column }}'
        {%- endfor %}
    end) as rejected_column,
    case
        when rejection_reason is not null then raw_row
        {%- for condition, reason, column in checks %}
        when {{ condition }} then {{ c360_row_to_json(row_columns) }}
        {%- endfor %}
    end as raw_row
{% endmacro %}
