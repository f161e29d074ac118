{#
    Post-hook of the seed engagement_model_effort: one row for each engagement model of
    `models` (the values of recommended_engagement_model), and hours_per_customer_monthly a
    number >= 0; anything else fails the seed with a message naming the model. Renders no SQL.
#}
{% macro c360_validate_engagement_model_effort(relation, models) %}
    {%- if execute -%}
        {%- set rows = run_query('select recommended_engagement_model, hours_per_customer_monthly from '
            ~ relation) -%}
        {%- set seen = [] -%}
        {%- for row in rows -%}
            {%- set name = (row[0] or '') | string | trim -%}
            {%- set hours = ('' if row[1] is none else row[1] | string) | trim -%}
            {%- set problem = none -%}
            {%- if name not in models -%}
                {%- set problem = "unknown engagement model; expected one of " ~ models | join(', ') -%}
            {%- elif name in seen -%}
                {%- set problem = "appears twice" -%}
            {%- elif not modules.re.match('^[0-9]+(\.[0-9]+)?$', hours) -%}
                {%- set problem = "hours_per_customer_monthly '" ~ hours ~ "' is not a number >= 0" -%}
            {%- endif -%}
            {%- if problem is not none -%}
                {{ exceptions.raise_compiler_error("customer360: seeds/engagement_model_effort.csv "
                    ~ "engagement model '" ~ name ~ "': " ~ problem) }}
            {%- endif -%}
            {%- do seen.append(name) -%}
        {%- endfor -%}
        {%- for model in models if model not in seen -%}
            {{ exceptions.raise_compiler_error("customer360: seeds/engagement_model_effort.csv "
                ~ "lacks engagement model '" ~ model ~ "' (hours_per_customer_monthly per model)") }}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
