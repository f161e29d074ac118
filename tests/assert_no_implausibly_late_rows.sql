{{ config(severity='warn') }}
{#
    SPEC section 2 (as_of_date from the data): rows dated after an implausible gap in the dates
    are rejected as implausibly_late rather than moving the analysis date. One row per source
    table with how many, so the warning names them.
#}

with

rejected as (
    select source_table from {{ ref('customer360__rejected_rows') }}
    where reason = 'implausibly_late'
),

as_of as (
    select implausibly_late_after_date from {{ ref('int_as_of_date') }}
),

per_table as (
    select
        source_table,
        count(*) as rows_rejected
    from rejected
    group by source_table
),

final as (
    select
        per_table.source_table,
        per_table.rows_rejected,
        cast(per_table.rows_rejected as {{ dbt.type_string() }}) || ' ' || per_table.source_table
        || ' row(s) dated after '
        || cast(as_of.implausibly_late_after_date as {{ dbt.type_string() }})
        || ', beyond a gap longer than var as_of_max_gap_days, rejected as implausibly_late'
        as failure
    from per_table
    cross join as_of
)

select * from final
