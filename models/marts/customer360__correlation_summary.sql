{#
    Pearson correlation of each configured column pair (var `correlation_pairs`) per customer
    segment and for all customers ('All'): the portable SQL core of the Python model
    customer360__correlation_diagnostics, so that engines without Python models (Spark) still
    get the figures. corr() is an aggregate on DuckDB and Spark alike. A (segment, pair) with
    fewer than 3 complete rows, or with a constant column among them, has a NULL pearson_r.
#}
{%- set pairs = var('correlation_pairs') -%}
{%- for pair in pairs -%}
    {%- set check = namespace(ok=pair is not string and pair is iterable and pair | length == 2) -%}
    {%- for name in (pair if check.ok else []) -%}
        {%- if name is not string or not modules.re.match('^[a-z_][a-z0-9_]*$', name) -%}
            {%- set check.ok = false -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not check.ok -%}
        {{ exceptions.raise_compiler_error("customer360: var correlation_pairs must be a list of "
            ~ "[x_column, y_column] pairs of mart column names, got " ~ pair) }}
    {%- endif -%}
{%- endfor -%}
{%- set columns = pairs | sum(start=[]) | unique | sort -%}

with

customers as (
    select * from {{ ref('customer360__customer_value_analysis') }}
),

segmented as (
    select
        {% for column in columns -%}
            cast({{ column }} as double) as {{ column }},
        {% endfor -%}
        customer_segment as segment
    from customers
    union all
    select
        {% for column in columns -%}
            cast({{ column }} as double) as {{ column }},
        {% endfor -%}
        'All' as segment
    from customers
),

{% for x_column, y_column in pairs -%}
    {%- set complete = x_column ~ ' is not null and ' ~ y_column ~ ' is not null' %}
    pair_{{ loop.index }} as (
        select
            segment,
            '{{ x_column }}' as x_column,
            '{{ y_column }}' as y_column,
            sum(case when {{ complete }} then 1 else 0 end) as n,
            min(case when {{ complete }} then {{ x_column }} end)
            = max(case when {{ complete }} then {{ x_column }} end) as is_x_constant,
            min(case when {{ complete }} then {{ y_column }} end)
            = max(case when {{ complete }} then {{ y_column }} end) as is_y_constant,
            corr({{ y_column }}, {{ x_column }}) as raw_pearson_r
        from segmented
        group by segment
    ),

{% endfor -%}

all_pairs as (
    {% for pair in pairs -%}
        select * from pair_{{ loop.index }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

final as (
    select
        segment,
        x_column,
        y_column,
        n,
        case
            when n >= 3 and not is_x_constant and not is_y_constant
                -- rounding can put |r| a hair above 1
                then greatest(cast(-1 as double), least(cast(1 as double), raw_pearson_r))
        end as pearson_r
    from all_pairs
)

select * from final
