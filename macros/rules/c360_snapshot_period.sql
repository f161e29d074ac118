{#
    The snapshot date that closes the period a date falls in: the first snapshot date on or after
    it. Snapshot dates are the month ends up to as_of_date and as_of_date itself, so that is the
    date's month end, or as_of_date in as_of_date's month, or the earliest snapshot for any older
    date. An arithmetic answer, so grouping rows by period needs no join with the snapshots.
#}
{% macro c360_snapshot_period(date_expression, earliest_snapshot_date, as_of_date) -%}
    least(
        greatest({{ dbt.last_day(date_expression, 'month') }}, {{ earliest_snapshot_date }}),
        {{ as_of_date }}
    )
{%- endmacro %}
