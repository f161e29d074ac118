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
    Every row also carries the bounds c360_snapshot_period takes (the earliest requested date
    and as_of_date), so its readers find a row's key from this model alone.
#}

with

requested_dates as (
    select
        snapshot_date,
        as_of_date
    from {{ ref('int_snapshot_dates') }}
),

range_bounds as (
    select
        min(snapshot_date) as earliest_snapshot_date,
        max(as_of_date) as as_of_date
    from requested_dates
),

computed_dates as (
    select snapshot_date from {{ ref('int_snapshot_dates') }}
    where is_computed
),

final as (
    select
        requested_dates.snapshot_date as period_key,
        min(computed_dates.snapshot_date) as period_end_date,
        range_bounds.earliest_snapshot_date,
        range_bounds.as_of_date
    from requested_dates
    cross join range_bounds
    inner join computed_dates
        on requested_dates.snapshot_date <= computed_dates.snapshot_date
    group by
        requested_dates.snapshot_date,
        range_bounds.earliest_snapshot_date,
        range_bounds.as_of_date
)

select * from final
