{#
    The analysis date: var `as_of_date` when set, else the latest transaction or activity date
    among rows that pass staging's checks, before any implausible gap: the earliest gap between
    consecutive dates longer than var `as_of_max_gap_days` that fewer rows follow than precede
    (one stray row dated 2099 must not make everyone Dormant; a thin early history followed by
    the real data is not cut). Rows after such a gap are rejected as implausibly_late, from the
    date in `implausibly_late_after_date` (NULL when there is no gap or the var is set).
    Everything downstream is computed against this one row, never against the wall clock.
    Without the var, a build whose raw files hold no transaction or activity row that passes
    staging's checks stops here, saying how many were read and where the reasons are.
#}
{%- set as_of_literal = c360_as_of_date_literal() -%}
{%- set max_gap_days = c360_validated_number('as_of_max_gap_days', 1, none) -%}

with

staged_transactions as (
    select
        transaction_ts,
        rejection_reason
    from {{ ref('stg_customer360__transactions') }}
),

staged_activity_events as (
    select
        event_ts,
        rejection_reason
    from {{ ref('stg_customer360__activity_events') }}
),

transactions as (
    select transaction_ts from staged_transactions
    where rejection_reason is null
),

activity_events as (
    select event_ts from staged_activity_events
    where rejection_reason is null
),

dated_rows as (
    select cast(transaction_ts as date) as activity_date from transactions
    union all
    select cast(event_ts as date) as activity_date from activity_events
),

rows_per_date as (
    select
        activity_date,
        count(*) as row_count
    from dated_rows
    group by activity_date
),

counts_to_date as (
    select
        activity_date,
        lead(activity_date) over (order by activity_date) as next_date,
        sum(row_count) over (
            order by activity_date rows between unbounded preceding and current row
        ) as rows_up_to_date,
        sum(row_count) over () as rows_in_total
    from rows_per_date
),

gaps as (
    select
        *,
        {{ dbt.datediff('activity_date', 'next_date', 'day') }}
            as days_to_next_date
    from counts_to_date
),

implausible_gap as (
    select min(activity_date) as last_plausible_date
    from gaps
    where
        days_to_next_date > {{ max_gap_days }}
        and rows_in_total - rows_up_to_date < rows_up_to_date
),

latest_dates as (
    select
        (select max(activity_date) from rows_per_date) as latest_date,
        (select last_plausible_date from implausible_gap) as last_plausible_date,
        (select count(*) from staged_transactions) as transactions_staged,
        (select count(*) from staged_activity_events) as activity_events_staged
),

final as (
    select
        {% if as_of_literal is not none -%}
        {{ as_of_literal }} as as_of_date,
        cast(null as date) as implausibly_late_after_date
        {%- else -%}
            case
                when latest_date is not null then coalesce(last_plausible_date, latest_date)
                else cast({{ c360_raise_error(
                    "'customer360: as_of_date cannot be derived: none of the '"
                    ~ " || cast(transactions_staged as " ~ dbt.type_string() ~ ")"
                    ~ " || ' transactions and '"
                    ~ " || cast(activity_events_staged as " ~ dbt.type_string() ~ ")"
                    ~ " || ' activity events read passed the row checks (rejection_reason of"
                    ~ " staging.stg_customer360__transactions and"
                    ~ " staging.stg_customer360__activity_events says why); fix the raw files,"
                    ~ " or set var as_of_date'") }} as date)
            end as as_of_date,
            last_plausible_date as implausibly_late_after_date
        {%- endif %}
    from latest_dates
)

select * from final
