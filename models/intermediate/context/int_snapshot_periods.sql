{#
    The periods that this run's computed snapshot dates cut time into, for the aggregates that
    count a source's rows once per period and run the counts forward (activity, transactions).
    A period ends at a computed snapshot date and holds the dates after the computed one before
    it; the first holds every earlier date. Dates after the latest computed snapshot are in no
    period: no computed snapshot reads them.
    A row's period is found without a join to the snapshots: c360_snapshot_period gives its
    date's month end (or as_of_date, or the earliest requested date for older dates), which is
    a requested snapshot date, the period_key here; period_end_date is the first computed
    snapshot date on or after it. A full build computes every month end, so each month is a
    period; a month added to a kept history computes one snapshot, so one period holds all.
#}

with

requested_dates as (
    select snapshot_date from {{ ref('int_snapshot_dates') }}
),

computed_dates as (
    select snapshot_date from {{ ref('int_snapshot_dates') }}
    where is_computed
),

final as (
    select
        requested_dates.snapshot_date as period_key,
        min(computed_dates.snapshot_date) as period_end_date
    from requested_dates
    inner join computed_dates
        on requested_dates.snapshot_date <= computed_dates.snapshot_date
    group by requested_dates.snapshot_date
)

select * from final
