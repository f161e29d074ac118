{#
    Nothing lost: for a source table, distinct rows read (exact duplicates count once) equal the
    rows accepted by `validated_model` plus the rows of `rejected_model` for that table.
    With `nonunique_keys_model` (the base model that holds every version of a NULL or repeated
    key and how many raw rows it was), the duplicates are counted from it instead of by a
    `select distinct` over the whole file.
#}
{% test c360_rows_reconcile(model, source_table, validated_model, rejected_model,
    nonunique_keys_model=none) %}
with

{% if nonunique_keys_model is none -%}
rows_read as (
    select count(*) as row_count from (select distinct * from {{ model }}) as distinct_rows
),
{%- else -%}
raw_rows as (
    select count(*) as row_count from {{ model }}
),

exact_duplicates as (
    select coalesce(sum(version_rows_read - 1), 0) as row_count from {{ nonunique_keys_model }}
),

rows_read as (
    select raw_rows.row_count - exact_duplicates.row_count as row_count
    from raw_rows
    cross join exact_duplicates
),
{%- endif %}

rows_accepted as (
    select count(*) as row_count from {{ validated_model }} where rejection_reason is null
),

rows_rejected as (
    select count(*) as row_count from {{ rejected_model }} where source_table = '{{ source_table }}'
)

select
    '{{ source_table }}' as source_table,
    rows_read.row_count as rows_read,
    rows_accepted.row_count as rows_accepted,
    rows_rejected.row_count as rows_rejected
from rows_read
cross join rows_accepted
cross join rows_rejected
where rows_read.row_count != rows_accepted.row_count + rows_rejected.row_count
{% endtest %}
