{#
    Normalised Shannon entropy of counts spread over categories: sum(p * ln(1 / p)) / ln(k),
    p = count / total, k = number of categories. 1 for an even spread, 0 when all fall in one
    category (0.0, never -0.0), NULL when the total is 0. Rounded to 12 decimals so that an even
    spread gives exactly 1.
#}
{% macro c360_normalised_entropy(count_columns, total_column) -%}
    case
        when {{ total_column }} > 0
            then round((
                {%- for column in count_columns %}
                case
                    when {{ column }} > 0
                        then (1.0 * {{ column }} / {{ total_column }})
                        * ln(1.0 * {{ total_column }} / {{ column }})
                    else 0
                end{{ ' +' if not loop.last }}
                {%- endfor %}
            ) / ln({{ count_columns | length }}), 12)
    end
{%- endmacro %}
