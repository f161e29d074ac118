"""The SQL reads of the published database: everything the report shows, as small frames.

Opened read-only through `customer360.published`. Aggregates are computed in DuckDB, so the
report costs the same at 10M customers as at 5k. The forecast and action sections read tables
that older builds did not publish: without them their data is None and the report leaves the
section out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from customer360 import published
from customer360.mart_contract import mart_segments

MART = "customer360__customer_value_analysis"
HISTORY = "customer360__customer_score_history"
# The segments in the order the mart's YAML lists them (its accepted_values test).
SEGMENTS = mart_segments()
# Points per segment in the health-vs-churn scatter: enough to show the shape, and the HTML
# stays small at any scale. The segment means use every customer.
SCATTER_POINTS_PER_SEGMENT = 1500
TOP_OWNERS = 15
EVALUATION = "customer360__forecast_evaluation"
CALIBRATION = "customer360__forecast_calibration"
TRAINING = "customer360__churn_model_training"
WATCHLIST = "customer360__watchlist"
BOOKS = "customer360__owner_book_of_business"
TOP_WATCHLIST_CUSTOMERS = 25


@dataclass(frozen=True)
class MartData:
    """The small aggregates the report needs, read from the published database."""

    as_of_date: str
    summary: pd.DataFrame
    rfm: pd.DataFrame
    health_churn_sample: pd.DataFrame
    distributions: pd.DataFrame
    correlations: pd.DataFrame | None
    owners: pd.DataFrame | None
    forecasts: ForecastData | None = None
    trends: pd.DataFrame | None = None


def read_mart_data(database: Path) -> MartData:
    """Query the published database for the mart's charts, narrative and forecast section."""
    with published.connect(database) as con:
        correlations = (
            published.frame(con, "select * from customer360__correlation_diagnostics")
            if published.has_table(con, "customer360__correlation_diagnostics")
            else None
        )
        return MartData(
            as_of_date=str(con.sql(f"select max(as_of_date) from {MART}").fetchall()[0][0]),
            summary=published.frame(con, "select * from customer360__segment_summary"),
            rfm=published.frame(con, _RFM_SQL),
            health_churn_sample=published.frame(con, _SAMPLE_SQL),
            distributions=published.frame(con, "select * from customer360__segment_distributions"),
            correlations=correlations,
            owners=published.frame(con, _OWNERS_SQL) if published.has_table(con, BOOKS) else None,
            forecasts=read_forecast_data(con),
            trends=published.frame(con, _TRENDS_SQL) if published.has_table(con, HISTORY) else None,
        )


_RFM_SQL = f"""
select
    customer_segment,
    avg(recency_score) as recency_score,
    avg(frequency_score) as frequency_score,
    avg(monetary_score) as monetary_score,
    avg(rfm_composite_score) as rfm_composite_score
from {MART}
group by customer_segment
"""

# hash(customer_id) orders the sample the same way on every run, whatever the file layout.
_SAMPLE_SQL = f"""
select customer_segment, customer_id, customer_health_score, churn_probability
from {MART}
qualify row_number() over (partition by customer_segment order by hash(customer_id), customer_id)
    <= {SCATTER_POINTS_PER_SEGMENT}
"""

# Segment means per snapshot of the history (SPEC section 7).
_TRENDS_SQL = f"""
select
    snapshot_date,
    customer_segment,
    count(*) as customers,
    avg(customer_health_score) as mean_customer_health_score,
    avg(churn_probability) as mean_churn_probability,
    avg(rfm_composite_score) as mean_rfm_composite_score
from {HISTORY}
group by snapshot_date, customer_segment
order by snapshot_date, customer_segment
"""

# The books' columns of each segment (customer360__owner_book_of_business).
BOOK_SEGMENT_PREFIXES = dict(
    zip(SEGMENTS, ("high_value_enterprise", "enterprise", "smb"), strict=True)
)
_BOOK_SEGMENT_SQL = """
select
    account_owner_id,
    '{segment}' as customer_segment,
    {prefix}_revenue_at_risk as segment_revenue_at_risk,
    revenue_at_risk
from ranked
where {prefix}_customers > 0
"""
# The books of business with the most revenue at risk, one row per segment with customers in
# the book; the pooled 'unassigned' book counts as one. The figures are the books' own.
_OWNERS_SQL = f"""
with ranked as (
    select *
    from {BOOKS}
    order by revenue_at_risk desc, account_owner_id
    limit {TOP_OWNERS}
),
by_segment as (
    {
    "union all".join(
        _BOOK_SEGMENT_SQL.format(segment=segment, prefix=prefix)
        for segment, prefix in BOOK_SEGMENT_PREFIXES.items()
    )
}
)
select
    account_owner_id as account_owner,
    customer_segment,
    cast(segment_revenue_at_risk as double) as revenue_at_risk,
    cast(revenue_at_risk as double) as owner_revenue_at_risk
from by_segment
order by owner_revenue_at_risk desc, account_owner, customer_segment
"""


def present_segments(frame: pd.DataFrame) -> list[str]:
    """Segments in their fixed order, only those with customers (a mart may lack one)."""
    present = set(frame["customer_segment"])
    return [segment for segment in SEGMENTS if segment in present]


def by_segment(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("customer_segment").loc[present_segments(frame)]


# How good are the forecasts (SPEC section 8): each table has a row per snapshot, segment and
# forecast, or per bin.
@dataclass(frozen=True)
class ForecastData:
    evaluation: pd.DataFrame
    calibration: pd.DataFrame
    training: pd.DataFrame


def read_forecast_data(con: duckdb.DuckDBPyConnection) -> ForecastData | None:
    """The three tables, or None when the database has not got them (an older build)."""
    if not {EVALUATION, CALIBRATION, TRAINING} <= published.table_names(con):
        return None
    return ForecastData(
        evaluation=published.frame(con, f"select * from {EVALUATION} order by snapshot_date"),
        calibration=published.frame(
            con,
            f"select * from {CALIBRATION} where snapshot_date = "
            f"(select max(snapshot_date) from {CALIBRATION}) order by calibration_bin",
        ),
        training=published.frame(con, f"select * from {TRAINING} order by snapshot_date"),
    )


@dataclass(frozen=True)
class ActionData:
    watchlist_counts: pd.DataFrame | None
    top_watchlist: pd.DataFrame | None
    books: pd.DataFrame | None

    @property
    def notes(self) -> list[str]:
        missing = [
            name
            for name, frame in ((WATCHLIST, self.watchlist_counts), (BOOKS, self.books))
            if frame is None
        ]
        return [f"no {name} in the database: its report section left out" for name in missing]


_WATCHLIST_COUNTS_SQL = f"""
select rule_id, route, count(*) as watchlist_rows, count(distinct customer_id) as customers
from {WATCHLIST}
group by rule_id, route
order by rule_id, route
"""

# Ties on expected_annual_revenue are ordered by customer and rule, so the table is stable.
_TOP_WATCHLIST_SQL = f"""
select
    watchlist.customer_name,
    watchlist.customer_id,
    coalesce(books.owner_name, watchlist.account_owner_id, 'unassigned') as owner,
    watchlist.rule_id,
    watchlist.severity,
    watchlist.route,
    watchlist.reason,
    cast(watchlist.expected_annual_revenue as double) as expected_annual_revenue
from {WATCHLIST} as watchlist
left join {BOOKS} as books
    on coalesce(watchlist.account_owner_id, 'unassigned') = books.account_owner_id
order by watchlist.expected_annual_revenue desc, watchlist.customer_id, watchlist.rule_id
limit {TOP_WATCHLIST_CUSTOMERS}
"""

_BOOKS_SQL = f"""
select
    account_owner_id,
    owner_name,
    team,
    customers,
    cast(risk_adjusted_value as double) as risk_adjusted_value,
    cast(expected_annual_revenue as double) as expected_annual_revenue,
    workload_hours_monthly,
    load_index,
    watchlist_rows,
    watchlist_rows_human
from {BOOKS}
order by risk_adjusted_value desc, account_owner_id
"""


def read_action_data(database: Path) -> ActionData:
    with published.connect(database) as con:
        has_watchlist = published.has_table(con, WATCHLIST)
        has_books = published.has_table(con, BOOKS)
        return ActionData(
            watchlist_counts=published.frame(con, _WATCHLIST_COUNTS_SQL) if has_watchlist else None,
            top_watchlist=published.frame(con, _TOP_WATCHLIST_SQL)
            if has_watchlist and has_books
            else None,
            books=published.frame(con, _BOOKS_SQL) if has_books else None,
        )
