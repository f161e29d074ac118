{#
    An md5 fingerprint of a (small) relation's content: the listed columns of every row, as text,
    in sorted order, so the same rows give the same fingerprint whatever order they were loaded.
#}
{% macro c360_table_fingerprint(relation, columns) %}
    {{ return(adapter.dispatch('c360_table_fingerprint', 'customer360')(relation, columns)) }}
{% endmacro %}

{% macro default__c360_table_fingerprint(relation, columns) %}
    (
        select md5(coalesce(string_agg(row_text, '\n' order by row_text), ''))
        from (
            select concat_ws('|'
                {%- for column in columns %}, coalesce(cast({{ column }} as varchar), '<null>'){% endfor %}
            ) as row_text
            from {{ relation }}
        ) as fingerprinted_rows
    )
{% endmacro %}

{% macro spark__c360_table_fingerprint(relation, columns) %}
    (
        select md5(concat_ws('\n', sort_array(collect_list(row_text))))
        from (
            select concat_ws('|'
                {%- for column in columns %}, coalesce(cast({{ column }} as string), '<null>'){% endfor %}
            ) as row_text
            from {{ relation }}
        ) as fingerprinted_rows
    )
{% endmacro %}
