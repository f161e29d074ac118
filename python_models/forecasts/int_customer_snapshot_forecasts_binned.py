"""Every forecast of every evaluable snapshot beside what happened, reduced to sums per
calibration bin: one row per (snapshot_date, customer_segment incl. 'All', forecast,
calibration_bin) that holds customers. customer360__forecast_evaluation and
customer360__forecast_calibration compute their figures from these sums; the ranking and the
binning are in customer360.forecast_bins.

  churn forecasts    churn_probability (the model in use, fitted or configured) and
                     churn_probability_configured (the configured formula), on snapshots
                     evaluable for churn; outcome = 1 when the customer churned
  revenue forecasts  predicted_revenue_365d and estimated_customer_ltv, on snapshots
                     evaluable for revenue; outcome = realised_revenue_365d

The predictions are the history's, so each is the one made at its snapshot (point in time); the
outcomes come from int_customer_snapshot_outcomes. A forecast with no value (NULL) leaves the
customer out of that forecast; a forecast column the history does not hold gives no rows.
One snapshot is read at a time (its customers, in customer_id order, through Arrow), so the
history never sits in pandas whole.

Kept, not recomputed, like the outcomes it reads: a build bins again the snapshots
int_snapshot_dates marks is_outcome_computed (their predictions or outcomes may have changed)
and takes the others from the table it replaces.

No Jinja in this file: dbt renders Python models as templates too, so no double braces.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pyarrow as pa
import pyarrow.compute as pc

from customer360.forecast_bins import (
    CHURN_FORECASTS,
    REVENUE_FORECASTS,
    SCHEMA,
    Segments,
    forecast_bins,
)
from customer360.previous_table import has_previous_table

SNAPSHOT_SQL = """
select
    history.customer_segment,
    {forecasts},
    cast(outcomes.is_churned as double) as churned,
    cast(outcomes.realised_revenue_365d as double) as realised_revenue_365d,
    outcomes.is_evaluable_churn,
    outcomes.is_evaluable_revenue
from forecast_history as history
inner join forecast_outcomes as outcomes
    on history.customer_id = outcomes.customer_id
    and history.snapshot_date = outcomes.snapshot_date
where history.snapshot_date = $snapshot_date
order by history.customer_id
"""


def stored_bins(session, this, dates: list) -> pa.Table:
    """The bins this model stored for `dates` (none on a first build)."""
    if not dates or not has_previous_table(session, this):
        return SCHEMA.empty_table()
    return session.sql(
        f"select {', '.join(SCHEMA.names)} from {this!r}"
        " where list_contains($dates, snapshot_date)",
        params={"dates": dates},
    ).to_arrow_table()


def binned(
    customers: pa.Table, segments: Segments, snapshot_date, forecast: str
) -> list[dict[str, object]]:
    """The bin rows of one forecast of one snapshot, of the customers whose forecast and
    outcome are known."""
    outcome_name = "churned" if forecast in CHURN_FORECASTS else "realised_revenue_365d"
    predicted = customers[forecast].to_numpy(zero_copy_only=False)
    outcome = customers[outcome_name].to_numpy(zero_copy_only=False)
    known = pc.and_(
        pc.is_valid(customers[forecast]), pc.is_valid(customers[outcome_name])
    ).to_numpy(zero_copy_only=False)
    return list(
        forecast_bins(
            snapshot_date, forecast, predicted[known], outcome[known], segments.where(known)
        )
    )


def model(dbt, session):
    dbt.config(materialized="table")
    judged = dbt.ref("int_snapshot_dates").project("snapshot_date, is_outcome_computed").fetchall()
    kept = stored_bins(
        session, dbt.this, [day for day, is_outcome_computed in judged if not is_outcome_computed]
    )
    history = dbt.ref("customer360__customer_score_history")
    history.create_view("forecast_history", replace=True)
    dbt.ref("int_customer_snapshot_outcomes").create_view("forecast_outcomes", replace=True)
    held = set(history.columns)
    forecasts = [name for name in (*CHURN_FORECASTS, *REVENUE_FORECASTS) if name in held]
    evaluable = session.execute(
        "select snapshot_date, bool_or(is_evaluable_churn), bool_or(is_evaluable_revenue)"
        " from forecast_outcomes where (is_evaluable_churn or is_evaluable_revenue)"
        " and list_contains($judged, snapshot_date)"
        " group by snapshot_date order by snapshot_date",
        {"judged": [day for day, is_outcome_computed in judged if is_outcome_computed]},
    ).fetchall()
    select = ",\n    ".join(f"cast(history.{name} as double) as {name}" for name in forecasts)
    rows: list[dict[str, object]] = []
    # NumPy's sorts let go of the GIL: a snapshot's forecasts are binned two at a time, and
    # map keeps their order, so the rows are the same as binned one at a time
    with ThreadPoolExecutor(max_workers=2) as pool:
        for snapshot_date, churn_evaluable, revenue_evaluable in evaluable:
            # a relation, not an executed cursor: DuckDB 2.0 loses an ORDER BY when a cursor's
            # result goes to Arrow with preserve_insertion_order off (the profile's setting)
            customers = session.sql(
                SNAPSHOT_SQL.format(forecasts=select or "null as no_forecast"),
                params={"snapshot_date": snapshot_date},
            ).to_arrow_table()
            evaluated = [
                forecast
                for forecast in forecasts
                if (churn_evaluable if forecast in CHURN_FORECASTS else revenue_evaluable)
            ]
            segments = Segments.from_arrow(customers["customer_segment"])
            bins = pool.map(partial(binned, customers, segments, snapshot_date), evaluated)
            for forecast_rows in bins:
                rows.extend(forecast_rows)
    return pa.concat_tables([kept.cast(SCHEMA), pa.Table.from_pylist(rows, schema=SCHEMA)])
