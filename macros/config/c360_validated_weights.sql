{#
    A weights var (mapping name -> weight) checked before use: exactly the expected keys, each a
    number >= 0, summing to 1 (within 1e-9). Anything else stops the run and says what is wrong.
#}
{% macro c360_validated_weights(var_name, expected_keys) %}
    {%- set weights = var(var_name) -%}
    {%- if weights is not mapping -%}
        {{ exceptions.raise_compiler_error("customer360: var " ~ var_name
            ~ " must be a mapping of " ~ expected_keys | join(', ') ~ " to weights, got " ~ weights) }}
    {%- endif -%}
    {%- if weights.keys() | list | sort != expected_keys | sort -%}
        {{ exceptions.raise_compiler_error("customer360: var " ~ var_name ~ " must have exactly the keys "
            ~ expected_keys | join(', ') ~ "; got " ~ weights.keys() | list | sort | join(', ')) }}
    {%- endif -%}
    {%- set total = namespace(value=0) -%}
    {%- for key in expected_keys -%}
        {%- set weight = weights[key] -%}
        {%- if weight is not number or weight is sameas true or weight is sameas false or weight < 0 -%}
            {{ exceptions.raise_compiler_error("customer360: var " ~ var_name ~ "." ~ key
                ~ " must be a number >= 0, got " ~ weight) }}
        {%- endif -%}
        {%- set total.value = total.value + weight -%}
    {%- endfor -%}
    {%- if (total.value - 1) | abs > 1e-9 -%}
        {{ exceptions.raise_compiler_error("customer360: the weights in var " ~ var_name
            ~ " must sum to 1, they sum to " ~ total.value) }}
    {%- endif -%}
    {{ return(weights) }}
{% endmacro %}
