"""On the default demo the fitted churn model beats the configured formula (issue 16, item 7).

On the latest snapshot evaluable for churn, for all customers: the fitted model's AUC is at
least 0.02 above the formula's and its calibration error at most 0.03; on the latest snapshot
evaluable for revenue, predicted_revenue_365d is within 10% of realised revenue in aggregate.
The figures are printed (`pytest -s`) so a drift is visible before it fails.
"""

from __future__ import annotations

import duckdb
import pytest
from conftest import Workspace

# The latest evaluated snapshot of each forecast: churn and revenue have different horizons.
LATEST_SQL = """
select evaluation.forecast, evaluation.snapshot_date, evaluation.roc_auc,
    evaluation.calibration_error, evaluation.aggregate_error_pct
from customer360__forecast_evaluation as evaluation
where evaluation.customer_segment = 'All'
    and evaluation.snapshot_date = (
        select max(latest.snapshot_date) from customer360__forecast_evaluation as latest
        where latest.forecast = evaluation.forecast
            and latest.customer_segment = 'All'
            and latest.n > 0
    )
"""


@pytest.fixture(scope="module")
def latest(demo_build: Workspace) -> dict[str, dict[str, float]]:
    with duckdb.connect(str(demo_build.duckdb_path), read_only=True) as con:
        frame = con.sql(LATEST_SQL).df().set_index("forecast")
        source = con.sql(
            "select churn_model_source from customer360__churn_model_training "
            "order by snapshot_date desc limit 1"
        ).fetchall()[0][0]
    print(f"\nforecasts on the default demo (churn model in use: {source}):")
    print(frame.to_string())
    return frame.to_dict("index")


def test_fitted_churn_ranks_better_than_the_formula(latest) -> None:
    fitted = latest["churn_probability"]["roc_auc"]
    configured = latest["churn_probability_configured"]["roc_auc"]
    assert fitted >= configured + 0.02


def test_fitted_churn_is_calibrated(latest) -> None:
    assert latest["churn_probability"]["calibration_error"] <= 0.03


def test_predicted_revenue_within_ten_percent(latest) -> None:
    assert "predicted_revenue_365d" in latest, "the history holds no predicted_revenue_365d"
    assert abs(latest["predicted_revenue_365d"]["aggregate_error_pct"]) <= 10
