{#
    One row per source table of the raw contract: distinct rows read, accepted and rejected, and
    the share of invalid rows that the data-quality alerts judge (vars rejected_pct_warn and
    rejected_pct_error), with the reason behind most of them and the column most of those
    failed on, so an alert says what to fix.
    Rows dated after as_of_date are rejected too, but they are valid data outside the analysis
    window (every back-dated build has them), so they are counted apart and left out of
    invalid_pct. Rows read come from the raw files, rows rejected from
    customer360__rejected_rows (counted once, per table and reason), and rows accepted are the
    rest: the reconcile tests prove, on every build, that this equals the accepted rows of the
    validated models.
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

-- per table, reason and column: the column most of a reason's rows failed on (ties: by name)
column_counts as (
    select
        source_table,
        reason,
        rejected_column,
        count(*) as column_rows,
        row_number() over (
            partition by source_table, reason
            order by count(*) desc, rejected_column
        ) as column_rank
    from rejected_rows
    group by source_table, reason, rejected_column
),

-- per table and reason, invalid reasons ranked by rows (ties: by name), so the table's top one
-- is the reason the alert names
reason_counts as (
    select
        source_table,
        reason,
        sum(column_rows) as reason_rows,
        max(case when column_rank = 1 then rejected_column end) as top_column,
        case
            when reason != 'after_as_of_date'
                then row_number() over (
                        partition by source_table, reason = 'after_as_of_date'
                        order by sum(column_rows) desc, reason
                    )
        end as invalid_reason_rank
    from column_counts
    group by source_table, reason
),

rejected_counts as (
    select
        source_table,
        cast(sum(reason_rows) as {{ dbt.type_bigint() }}) as rows_rejected,
        cast(
            sum(case when reason = 'after_as_of_date' then reason_rows else 0 end)
            as {{ dbt.type_bigint() }}
        ) as rows_after_as_of_date,
        max(case when invalid_reason_rank = 1 then reason end) as top_invalid_reason,
        max(case when invalid_reason_rank = 1 then reason_rows end) as top_invalid_reason_rows,
        max(case when invalid_reason_rank = 1 then top_column end) as top_invalid_column
    from reason_counts
    group by source_table
),

counted as (
    select
        rows_read.source_table,
        coalesce(raw_file_inventory.is_present, false) as is_present,
        rows_read.rows_read,
        coalesce(rejected_counts.rows_rejected, 0) as rows_rejected,
        coalesce(rejected_counts.rows_after_as_of_date, 0) as rows_after_as_of_date,
        rejected_counts.top_invalid_reason,
        rejected_counts.top_invalid_reason_rows,
        rejected_counts.top_invalid_column
    from rows_read
    left join raw_file_inventory
        on rows_read.source_table = raw_file_inventory.source_table
    left join rejected_counts
        on rows_read.source_table = rejected_counts.source_table
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
        coalesce(top_invalid_reason_rows, 0) as top_invalid_reason_rows,
        top_invalid_column
    from counted
)

select * from final
