{#
    One row per source table of the raw contract: distinct rows read, accepted and rejected, and
    the share of invalid rows that the data-quality alerts judge (vars rejected_pct_warn and
    rejected_pct_error), with the reason behind most of them, so an alert says what to fix. Rows dated after as_of_date are rejected too, but they are valid data
    outside the analysis window (every back-dated build has them), so they are counted apart
    and left out of invalid_pct. Rows read come from the raw files, rows rejected from
    customer360__rejected_rows, and rows accepted are the rest: the reconcile tests prove, on
    every build, that this equals the accepted rows of the validated models.
#}
with

raw_file_inventory as (
    select * from {{ ref('stg_customer360__raw_file_inventory') }}
),

rows_read as (
    select * from {{ ref('stg_customer360__rows_read') }}
),

rejected_rows as (
    select * from {{ ref('customer360__rejected_rows') }}
),

rejected_counts as (
    select
        source_table,
        count(*) as rows_rejected,
        cast(
            sum(case when reason = 'after_as_of_date' then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as rows_after_as_of_date
    from rejected_rows
    group by source_table
),

-- the reason that made most of a table's invalid rows, for the alert to name (ties: by name)
invalid_reasons as (
    select
        source_table,
        reason,
        count(*) as reason_rows,
        row_number() over (
            partition by source_table order by count(*) desc, reason
        ) as reason_rank
    from rejected_rows
    where reason != 'after_as_of_date'
    group by source_table, reason
),

counted as (
    select
        rows_read.source_table,
        coalesce(raw_file_inventory.is_present, false) as is_present,
        rows_read.rows_read,
        coalesce(rejected_counts.rows_rejected, 0) as rows_rejected,
        coalesce(rejected_counts.rows_after_as_of_date, 0) as rows_after_as_of_date,
        invalid_reasons.reason as top_invalid_reason,
        invalid_reasons.reason_rows as top_invalid_reason_rows
    from rows_read
    left join raw_file_inventory
        on rows_read.source_table = raw_file_inventory.source_table
    left join rejected_counts
        on rows_read.source_table = rejected_counts.source_table
    left join invalid_reasons
        on rows_read.source_table = invalid_reasons.source_table
            and invalid_reasons.reason_rank = 1
),

final as (
    select
        source_table,
        is_present,
        rows_read,
        rows_read - rows_rejected as rows_accepted,
        rows_rejected,
        rows_after_as_of_date,
        rows_rejected - rows_after_as_of_date as rows_invalid,
        -- NULL for an absent or empty table: nothing was read, so nothing can be judged
        100.0 * rows_rejected / nullif(rows_read, 0) as rejected_pct,
        100.0 * (rows_rejected - rows_after_as_of_date) / nullif(rows_read, 0) as invalid_pct,
        top_invalid_reason,
        coalesce(top_invalid_reason_rows, 0) as top_invalid_reason_rows
    from counted
)

select * from final
