{#
    A mapping of ordered cut-offs (e.g. {medium: 0.4, high: 0.7}) checked for its keys, for each
    value lying in [min_value, max_value], and for strictly increasing order in `keys` order.
#}
{% macro c360_validated_cutoffs(var_name, keys, min_value, max_value) %}
    {%- set cutoffs = var(var_name) -%}
    {%- if cutoffs is not mapping or cutoffs.keys() | list | sort != keys | sort -%}
        {{ exceptions.raise_compiler_error("customer360: var " ~ var_name
            ~ " must be a mapping with exactly the keys " ~ keys | join(', ') ~ ", got " ~ cutoffs) }}
    {%- endif -%}
    {%- for key in keys -%}
        {%- do c360_validated_number(var_name ~ '.' ~ key, min_value, max_value, cutoffs[key]) -%}
        {%- if not loop.first and cutoffs[key] <= cutoffs[keys[loop.index0 - 1]] -%}
            {{ exceptions.raise_compiler_error("customer360: var " ~ var_name ~ " must increase in the order "
                ~ keys | join(' < ') ~ ", got " ~ cutoffs) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(cutoffs) }}
{% endmacro %}
