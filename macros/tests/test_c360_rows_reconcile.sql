{#
    Nothing lost: for a source table, distinct rows read (exact duplicates count once, as
    counted by `rows_read_model`, stg_customer360__rows_read) equal the rows accepted by
    `validated_model` plus the rows of `rejected_model` for that table. Attached to the source
    (`model`), which it does not read: counting the file is the rows-read model's job.
#}
{% test c360_rows_reconcile(model, source_table, validated_model, rejected_model,
    rows_read_model) %}
with

rows_read as (
    select rows_read as row_count from {{ rows_read_model }}
    where source_table = '{{ source_table }}'
),

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
