"""The purchase model (int_customer_snapshots_purchase_forecast) on real dbt builds.

2,000 generated customers, built with a short history so the fits stay few: one row per
(customer, computed snapshot), probabilities and predictions in range, the same output on a
second build, point in time (a transaction dated after T leaves the snapshot-T forecast as it
was), and the aggregate predicted against realised 365-day revenue, printed with `pytest -s`.
"""

from __future__ import annotations

import json
import logging
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import Workspace, assert_ok

from customer360.purchase_model import (
    PurchaseModelError,
    Shortfall,
    _checked,
    fit_snapshot,
    predict,
    warn_shortfalls,
)

MODEL = "int_customer_snapshots_purchase_forecast"
FORECAST = f"select * from intermediate.{MODEL} order by snapshot_date, customer_id"
# The latest snapshot of the demo with 365 days of data after it (END_DATE 2025-12-31).
EVALUATED = date(2024, 12, 31)
# Snapshots 2025-12-31 and 2025-11-30; the extra transaction falls between them.
SHORT_HISTORY = {"history_months": 1}
LATE_DAY = date(2025, 12, 15)
# Aggregate error allowed on 2,000 customers (measured: +10.6%; the default demo's is -3.9%).
SMALL_SAMPLE_TOLERANCE = 0.25


def _build(ws: Workspace, variables: dict) -> None:
    assert_ok(
        ws.dbt(
            "build",
            "--select",
            f"+{MODEL}",
            # Only the tests of the selected models: not those that also read other models.
            "--indirect-selection",
            "cautious",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            json.dumps(variables),
        )
    )


def _forecast(ws: Workspace) -> pd.DataFrame:
    with duckdb.connect(str(ws.duckdb_path), read_only=True) as con:
        return con.execute(FORECAST).df()


@pytest.fixture(scope="module")
def year_build(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """2,000 customers with 12 months of history: 13 computed snapshots, 2024-12-31 among them."""
    ws = Workspace(tmp_path_factory.mktemp("purchase_year"))
    assert_ok(ws.c360("generate", "--quiet", "--customers", "2000"))
    _build(ws, {"history_months": 12})
    return ws


@pytest.fixture(scope="module")
def short_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, ...]:
    """The same raw data built twice, then again with one transaction added after 2025-11-30."""
    ws = Workspace(tmp_path_factory.mktemp("purchase_short"))
    assert_ok(ws.c360("generate", "--quiet", "--customers", "2000"))
    _build(ws, SHORT_HISTORY)
    first = _forecast(ws)
    _build(ws, SHORT_HISTORY)
    second = _forecast(ws)
    transactions = ws.raw_dir / "transactions.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"""copy (
                select * from read_parquet('{transactions}')
                union all
                select 'T_LATE_1', 'C00000002', timestamp '{LATE_DAY} 10:00:00',
                    cast(5000 as decimal(18, 2)), 'expansion'
            ) to '{transactions}.new' (format parquet)"""
        )
    (ws.raw_dir / "transactions.parquet.new").replace(transactions)
    _build(ws, SHORT_HISTORY)
    return first, second, _forecast(ws)


def test_one_row_per_customer_and_computed_snapshot(year_build: Workspace) -> None:
    with duckdb.connect(str(year_build.duckdb_path), read_only=True) as con:
        missing, extra = con.execute(
            f"""
            with expected as (
                select customers.customer_id, snapshots.snapshot_date
                from intermediate.int_customers_accepted as customers
                inner join intermediate.int_snapshot_dates as snapshots
                    on customers.signup_date <= snapshots.snapshot_date
                where snapshots.is_computed
            ),
            actual as (select customer_id, snapshot_date from intermediate.{MODEL})
            select
                (select count(*) from (select * from expected except select * from actual)),
                (select count(*) from (select * from actual except select * from expected))
            """
        ).fetchall()[0]
        duplicates = con.execute(
            "select count(*) - count(distinct (customer_id, snapshot_date))"
            f" from intermediate.{MODEL}"
        ).fetchall()[0][0]
        snapshots = con.execute(
            f"select count(distinct snapshot_date) from intermediate.{MODEL}"
        ).fetchall()[0][0]
    assert (missing, extra, duplicates) == (0, 0, 0)
    assert snapshots == 13


def test_probabilities_and_predictions_in_range(year_build: Workspace) -> None:
    forecast = _forecast(year_build)
    alive = forecast["p_alive"].dropna()
    assert len(alive) > 0.5 * len(forecast)
    assert alive.between(0, 1).all()
    assert (forecast["predicted_purchases_365d"] >= 0).all()
    assert (forecast["predicted_revenue_365d"] >= 0).all()
    # A customer without a purchase by the snapshot has no p_alive and forecasts of 0.
    never = forecast["p_alive"].isna()
    assert (forecast.loc[never, "predicted_revenue_365d"] == 0).all()


def test_aggregate_revenue_against_realised(year_build: Workspace) -> None:
    with duckdb.connect(str(year_build.duckdb_path), read_only=True) as con:
        predicted, realised = con.execute(
            f"""
            select
                sum(forecast.predicted_revenue_365d),
                (select cast(sum(amount) as double) from intermediate.int_transactions_accepted as t
                 inner join intermediate.{MODEL} as f
                    on t.customer_id = f.customer_id and f.snapshot_date = date '{EVALUATED}'
                 where t.transaction_date > date '{EVALUATED}'
                    and t.transaction_date <= date '{EVALUATED}' + 365)
            from intermediate.{MODEL} as forecast
            where forecast.snapshot_date = date '{EVALUATED}'
            """
        ).fetchall()[0]
    error = predicted / realised - 1
    print(
        f"\npurchase model at {EVALUATED} (2,000 customers): predicted {predicted:,.0f},"
        f" realised {realised:,.0f}, error {error:+.1%}"
    )
    # Issue 16's target (within 10%) is for the default demo and is asserted there
    # (test_forecasts_demo.py). A 2,000-customer sample's realised revenue is heavy-tailed (a
    # few large accounts): this bound says only that the fit is not off by a factor.
    assert abs(error) <= SMALL_SAMPLE_TOLERANCE


def test_two_builds_give_the_same_forecasts(short_builds: tuple[pd.DataFrame, ...]) -> None:
    first, second, _ = short_builds
    pd.testing.assert_frame_equal(first, second)


def test_a_later_transaction_leaves_earlier_snapshots_alone(
    short_builds: tuple[pd.DataFrame, ...],
) -> None:
    first, _, with_late = short_builds
    before = date(2025, 11, 30)
    earlier = first["snapshot_date"].dt.date == before
    later_earlier = with_late["snapshot_date"].dt.date == before
    pd.testing.assert_frame_equal(
        first[earlier].reset_index(drop=True), with_late[later_earlier].reset_index(drop=True)
    )
    latest = first[~earlier].set_index("customer_id")
    latest_with_late = with_late[~later_earlier].set_index("customer_id")
    assert not latest.equals(latest_with_late)


def _sample(rows: int, frequency: float, recency: float, age: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"C{number}" for number in range(rows)],
            "frequency": frequency,
            "recency": recency,
            "T": age,
            "monetary_value": 50.0 if frequency > 0 else 0.0,
            "gross": 100.0,
            "net": 95.0,
        }
    )


def test_customers_all_alike_do_not_crash_the_fit() -> None:
    fit = fit_snapshot(_sample(200, 3.0, 100.0, 300.0), date(2025, 1, 31))
    assert fit is not None
    assert 0 < fit.net_ratio <= 1


def test_a_fit_that_sees_no_dropout_is_kept_with_its_unrounded_parameters() -> None:
    """Every buyer bought on their last day: the dropout parameter a tends to 0. It is a valid
    fit (no one has left yet), which fit_summary()'s three decimals read as a = 0.0 and failed;
    the point estimates are read unrounded, and the predictions are finite."""
    rng = np.random.default_rng(1)
    ages = rng.integers(30, 90, 300).astype(float)
    frequency = rng.poisson(2, 300).astype(float)
    sample = _sample(300, 0.0, 0.0, 0.0).assign(
        frequency=frequency,
        recency=np.where(frequency > 0, ages, 0.0),
        T=ages,
        monetary_value=np.where(frequency > 0, rng.lognormal(4.0, 0.5, 300), 0.0),
    )
    fit = fit_snapshot(sample, date(2025, 1, 31))
    assert fit is not None
    assert 0 < fit.parameters["a"] < 0.0005
    forecasts = predict(fit, sample, date(2025, 1, 31)).to_pandas()
    assert (
        forecasts[["p_alive", "predicted_purchases_365d", "predicted_revenue_365d"]]
        .notna()
        .all()
        .all()
    )
    assert np.isfinite(forecasts["predicted_revenue_365d"]).all()


def test_too_few_buyers_give_no_fit_and_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    shortfalls: list[Shortfall] = []
    assert fit_snapshot(_sample(5, 2.0, 50.0, 100.0), date(2025, 1, 31), shortfalls) is None
    assert fit_snapshot(_sample(100, 0.0, 0.0, 100.0), date(2025, 2, 28), shortfalls) is None
    assert shortfalls == [
        Shortfall(date(2025, 1, 31), 5, 5),
        Shortfall(date(2025, 2, 28), 100, 0),
    ]
    with caplog.at_level(logging.WARNING, logger="customer360.purchase_model"):
        warn_shortfalls(shortfalls)
    assert [record.getMessage() for record in caplog.records] == [
        "purchase model: 2 snapshot(s) from 2025-01-31 to 2025-02-28 have too few buyers in "
        "their sample to fit (needs 100 buyers and 50 repeat buyers; 2025-02-28 has 100 and 0): "
        "their forecasts are NULL"
    ]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 0.0, -1.0, 1e12])
def test_a_parameter_that_did_not_converge_fails_naming_the_snapshot(value: float) -> None:
    with pytest.raises(PurchaseModelError, match=r"snapshot 2025-01-31 .* parameter alpha"):
        _checked({"r": 1.0, "alpha": value}, date(2025, 1, 31), "BG/NBD")
