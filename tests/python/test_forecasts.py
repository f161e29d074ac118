"""The forecast evaluation equals scikit-learn's and scipy's own figures on a real build, and
the fitted churn model is point in time, falls back by name and survives degenerate data.

SPEC section 8. The demo build is the session's (tests/python/conftest.py); the point-in-time
and bad-input tests build small generated data of their own.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT_DIR, Workspace, assert_ok
from scipy.stats import spearmanr
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

TOLERANCE = 1e-9
CHURN_FORECASTS = ("churn_probability", "churn_probability_configured")
REVENUE_FORECASTS = ("predicted_revenue_365d", "estimated_customer_ltv")
FORECASTS_MODELS = "+customer360__forecast_evaluation +customer360__forecast_calibration"

# Predictions of each evaluable snapshot beside what happened, straight from the history and
# the outcomes (not from the ranked model the marts read), once per segment and for 'All'.
OBSERVED_SQL = """
with observed as (
    select
        history.snapshot_date,
        history.customer_segment,
        history.customer_id,
        {forecasts},
        outcomes.is_churned,
        outcomes.realised_revenue_365d,
        outcomes.is_evaluable_churn,
        outcomes.is_evaluable_revenue
    from customer360__customer_score_history as history
    inner join intermediate.int_customer_snapshot_outcomes as outcomes
        using (customer_id, snapshot_date)
)
select * from observed
union all
select * replace ('All' as customer_segment) from observed
"""


def _load_fit_module():
    path = PROJECT_DIR / "python_models/forecasts/int_customer_snapshots_churn_fitted.py"
    spec = importlib.util.spec_from_file_location("churn_fitted", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fit_module = _load_fit_module()


@pytest.fixture(scope="module")
def evaluated(demo_build: Workspace) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with duckdb.connect(str(demo_build.duckdb_path), read_only=True) as con:
        evaluation = con.sql("select * from customer360__forecast_evaluation").df()
        calibration = con.sql("select * from customer360__forecast_calibration").df()
        held = {
            row[0] for row in con.sql("describe customer360__customer_score_history").fetchall()
        }
        # a forecast the history does not hold yet has no evaluation rows either
        forecasts = [f for f in (*CHURN_FORECASTS, *REVENUE_FORECASTS) if f in held]
        columns = ", ".join(f"history.{forecast}" for forecast in forecasts)
        observed = con.sql(OBSERVED_SQL.format(forecasts=columns)).df()
    return evaluation, calibration, observed


def _groups(observed: pd.DataFrame, forecast: str, evaluable: str):
    rows = observed[observed[evaluable] & observed[forecast].notna()]
    return rows.groupby(["snapshot_date", "customer_segment"])


def _row(evaluation: pd.DataFrame, key: tuple, forecast: str) -> pd.Series:
    snapshot_date, segment = key
    match = evaluation[
        (evaluation["snapshot_date"] == snapshot_date)
        & (evaluation["customer_segment"] == segment)
        & (evaluation["forecast"] == forecast)
    ]
    assert len(match) == 1, f"no single evaluation row for {key} {forecast}"
    return match.iloc[0]


def _calibration_error(p: np.ndarray, y: np.ndarray, ids: np.ndarray) -> float:
    """Ten equal-count bins by p (ties by customer_id), the first n mod 10 one larger."""
    order = np.lexsort((ids, p))
    bins = np.array_split(order, 10)
    return float(np.mean([abs(p[b].mean() - y[b].mean()) for b in bins if len(b)]))


def test_churn_figures_equal_scikit_learn(evaluated) -> None:
    evaluation, _, observed = evaluated
    checked = 0
    for forecast in CHURN_FORECASTS:
        for key, rows in _groups(observed, forecast, "is_evaluable_churn"):
            row = _row(evaluation, key, forecast)
            y = rows["is_churned"].astype(int).to_numpy()
            p = rows[forecast].astype(float).to_numpy()
            assert row["n"] == len(rows) and row["positives"] == y.sum()
            # SPEC 8: NULL with a reason where a figure is undefined (n < 3, no churned or no
            # retained customer)
            if len(rows) < 3 or y.min() == y.max():
                assert pd.isna(row["roc_auc"]) and row["reason"], (key, forecast)
                continue
            assert abs(row["roc_auc"] - roc_auc_score(y, p)) < TOLERANCE
            assert abs(row["brier_score"] - brier_score_loss(y, p)) < TOLERANCE
            assert abs(row["log_loss"] - log_loss(y, p, labels=[0, 1])) < TOLERANCE
            if len(rows) < 10:  # ten equal-count bins need ten rows
                continue
            expected = _calibration_error(p, y, rows["customer_id"].to_numpy())
            assert abs(row["calibration_error"] - expected) < TOLERANCE
            checked += 1
    print(f"\n{checked} (snapshot, segment, churn forecast) groups equal scikit-learn's figures")
    assert checked >= 10


def test_revenue_figures_equal_scipy(evaluated) -> None:
    evaluation, _, observed = evaluated
    checked = 0
    for forecast in (f for f in REVENUE_FORECASTS if f in observed):
        for key, rows in _groups(observed, forecast, "is_evaluable_revenue"):
            row = _row(evaluation, key, forecast)
            predicted = rows[forecast].astype(float).to_numpy()
            realised = rows["realised_revenue_365d"].astype(float).to_numpy()
            if len(rows) < 3 or predicted.min() == predicted.max() or realised.sum() == 0:
                continue
            if realised.min() < realised.max():
                rho = spearmanr(predicted, realised).statistic
                assert abs(row["spearman_rho"] - rho) < TOLERANCE
            error = 100 * (predicted.sum() - realised.sum()) / abs(realised.sum())
            assert abs(row["aggregate_error_pct"] - error) < 1e-6
            checked += 1
    assert checked >= 2


def test_calibration_bins_are_equal_count(evaluated) -> None:
    _, calibration, observed = evaluated
    for forecast in CHURN_FORECASTS:
        for key, rows in _groups(observed, forecast, "is_evaluable_churn"):
            bins = calibration[
                (calibration["snapshot_date"] == key[0])
                & (calibration["customer_segment"] == key[1])
                & (calibration["forecast"] == forecast)
            ]
            expected = [len(b) for b in np.array_split(np.arange(len(rows)), 10) if len(b)]
            assert sorted(bins["n"], reverse=True) == expected


# --- the fit itself, on frames written here --------------------------------------------------

SETTINGS = fit_module.Settings(
    horizon_days=180,
    min_evaluable_snapshots=3,
    training_snapshots=6,
    min_churn_events=5,
    half_life_months=6.0,
    training_rows_per_snapshot=10_000,
    seed=16,
)
SNAPSHOTS = pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"])


def _training(rng: np.random.Generator, customers: int = 200, **constant: float) -> pd.DataFrame:
    """Labelled snapshots where inactivity drives churn, columns as the model reads them."""
    frames = []
    for snapshot_date in SNAPSHOTS:
        inactivity = rng.integers(0, 400, customers).astype(float)
        frame = pd.DataFrame(
            {
                "customer_id": [f"C{i}" for i in range(customers)],
                "snapshot_date": snapshot_date,
                "recency_days": inactivity,
                "frequency": rng.integers(1, 10, customers).astype(float),
                "monetary": rng.gamma(2.0, 100.0, customers),
                "recency_score": rng.integers(1, 6, customers).astype(float),
                "frequency_score": rng.integers(1, 6, customers).astype(float),
                "monetary_score": rng.integers(1, 6, customers).astype(float),
                "rfm_composite_score": rng.uniform(1, 5, customers),
                "customer_health_score": rng.uniform(1, 5, customers),
                "days_since_last_activity": inactivity,
                "revenue_12m": rng.gamma(2.0, 100.0, customers),
                "churn_probability_configured": 1 / (1 + np.exp(-(inactivity - 200) / 60)),
                "recency_share": np.minimum(inactivity / rng.integers(400, 800, customers), 1),
                "segment_code": rng.integers(0, 3, customers).astype(float),
                "is_churned": (rng.uniform(0, 1, customers) < inactivity / 400).astype(int),
            }
        )
        for column, value in constant.items():
            frame[column] = value
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _scored(training: pd.DataFrame, cutoff: str = "2024-12-31") -> tuple[object, np.ndarray]:
    fit = fit_module.fit_for(pd.Timestamp(cutoff).date(), training, SETTINGS)
    rows = training[training["snapshot_date"] == SNAPSHOTS[-1]]
    return fit, fit_module.predicted(fit, rows)


def test_fit_is_deterministic_and_learns() -> None:
    training = _training(np.random.default_rng(1))
    fit, first = _scored(training)
    _, second = _scored(training.copy())
    assert fit.reason is None and fit.calibration_snapshot == SNAPSHOTS[-1]
    assert np.array_equal(first, second)
    rows = training[training["snapshot_date"] == SNAPSHOTS[-1]]
    assert roc_auc_score(rows["is_churned"], first) > 0.7


def test_fit_learns_only_from_horizons_ended_by_the_snapshot() -> None:
    training = _training(np.random.default_rng(2))
    # 2024-09-30 - 180 days = 2024-04-03: the 2024-04-30 snapshot is not yet evaluable there
    fit = fit_module.fit_for(pd.Timestamp("2024-09-30").date(), training, SETTINGS)
    assert fit.last_snapshot == SNAPSHOTS[-2] and fit.snapshots == 3


def test_fit_learns_from_the_latest_window_only() -> None:
    """The window is the latest churn_training_snapshots eligible snapshots: the model of a
    snapshot does not depend on how far back the build's history reaches."""
    training = _training(np.random.default_rng(7))
    narrow = SETTINGS._replace(training_snapshots=3)
    fit = fit_module.fit_for(pd.Timestamp("2024-12-31").date(), training, narrow)
    assert (fit.first_snapshot, fit.last_snapshot, fit.snapshots) == (
        SNAPSHOTS[1],
        SNAPSHOTS[-1],
        3,
    )
    without_oldest = training[training["snapshot_date"] != SNAPSHOTS[0]]
    trimmed = fit_module.fit_for(pd.Timestamp("2024-12-31").date(), without_oldest, narrow)
    rows = training[training["snapshot_date"] == SNAPSHOTS[-1]]
    assert np.array_equal(fit_module.predicted(fit, rows), fit_module.predicted(trimmed, rows))


def test_window_narrower_than_the_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="churn_training_snapshots"):
        fit_module.checked(SETTINGS._replace(training_snapshots=2))


@pytest.mark.parametrize(
    "constant",
    [
        {"days_since_last_activity": 30.0, "recency_days": 30.0},  # constant features
        {"segment_code": 2.0},  # one segment only
        # one purchase, outside the window
        {"recency_days": np.nan, "recency_share": np.nan, "frequency": 1.0},
    ],
)
def test_fit_survives_degenerate_features(constant: dict[str, float]) -> None:
    fit, scores = _scored(_training(np.random.default_rng(3), **constant))
    assert fit.reason is None
    assert np.isfinite(scores).all() and ((scores > 0) & (scores < 1)).all()


def test_segment_without_churn_events_is_fitted() -> None:
    training = _training(np.random.default_rng(4))
    training.loc[training["segment_code"] == 2, "is_churned"] = 0
    fit, scores = _scored(training)
    assert fit.reason is None and np.isfinite(scores).all()


def test_all_customers_alike_falls_back_with_a_reason() -> None:
    training = _training(np.random.default_rng(5))
    training["is_churned"] = 1
    fit, scores = _scored(training)
    assert "retained" in fit.reason and "churn_fit_min_churn_events" in fit.reason
    assert np.isnan(scores).all()


def test_too_few_snapshots_names_the_var() -> None:
    fit, _ = _scored(_training(np.random.default_rng(6)), cutoff="2024-08-31")
    assert "churn_fit_min_evaluable_snapshots" in fit.reason


def test_derived_features_are_bounded_shares_of_tenure() -> None:
    """recency_share = recency_days / tenure_days, at most 1, NULL without a purchase or a
    day of tenure; every stored feature is read as a double."""
    stored = ", ".join(
        f"1 as {name}" for name in fit_module.STORED_FEATURES if name != "recency_days"
    )
    with duckdb.connect() as con:
        con.execute(
            f"""create table features as
            select * from (values
                ('a', 30, 60, 'SMB'), ('b', null, 60, 'Enterprise'), ('c', 5, 0, 'SMB'),
                ('d', 90, 60, 'High-Value Enterprise'), ('e', 0, 365, 'SMB')
            ) as t(customer_id, recency_days, tenure_days, customer_segment),
            lateral (select date '2024-06-30' as snapshot_date, {stored})"""
        )
        frame = con.sql(
            f"select {fit_module.feature_columns('f')} from features as f order by customer_id"
        ).df()
    assert list(frame.columns) == ["customer_id", "snapshot_date", *fit_module.FEATURES]
    shares = frame["recency_share"].tolist()
    assert shares[0] == 0.5
    assert np.isnan(shares[1]) and np.isnan(shares[2])
    assert shares[3:] == [1.0, 0.0]
    assert frame["segment_code"].tolist() == [0.0, 1.0, 0.0, 2.0, 0.0]


def test_training_reads_only_the_snapshots_the_computed_models_learn_from() -> None:
    evaluable = list(pd.date_range("2023-01-31", "2024-06-30", freq="ME").date)
    # a month added: the six latest snapshots whose 180-day horizon ended by 2024-12-31
    assert fit_module.training_dates(evaluable, [date(2024, 12, 31)], SETTINGS) == list(
        pd.date_range("2024-01-31", "2024-06-30", freq="ME").date
    )
    # two computed months share five of their six
    assert (
        len(
            fit_module.training_dates(evaluable, [date(2024, 11, 30), date(2024, 12, 31)], SETTINGS)
        )
        == 7
    )
    # before any horizon ended, and with nothing computed: none
    assert fit_module.training_dates(evaluable, [date(2023, 3, 31)], SETTINGS) == []
    assert fit_module.training_dates(evaluable, [], SETTINGS) == []


# --- real builds: point in time, vars by name -------------------------------------------------

# Only the tests of the selected models: others (row reconciliation) need unselected parents.
CAUTIOUS = ("--indirect-selection", "cautious")
# The snapshot checked for point in time: this many months before the full build's as_of_date.
MONTHS_BEFORE = 9
HISTORY_MONTHS = 24


def _fitted(ws: Workspace, snapshot_date: object) -> pd.DataFrame:
    with duckdb.connect(str(ws.duckdb_path), read_only=True) as con:
        return con.execute(
            "select customer_id, churn_probability_fitted, training_last_snapshot_date "
            "from intermediate.int_customer_snapshots_churn_fitted where snapshot_date = ? "
            "order by customer_id",
            [snapshot_date],
        ).df()


def test_fitted_probabilities_are_point_in_time(tmp_path: Path) -> None:
    """A snapshot T's fitted probabilities are the same when the build's as_of_date is T itself.

    The second build holds the same snapshots up to T (history_months shortened so the earliest
    is the same) and rejects every row dated after T, so a probability that used anything
    later, through features, labels or the training sample, would differ.
    """
    full, at_t = Workspace(tmp_path / "full"), Workspace(tmp_path / "at_t")
    for ws in (full, at_t):
        assert_ok(ws.c360("generate", "--customers", "1000", "--quiet"))
    select = ["--select", "+int_customer_snapshots_churn_fitted", *CAUTIOUS]
    assert_ok(full.dbt("build", *select, "--vars", json.dumps({"history_months": HISTORY_MONTHS})))
    with duckdb.connect(str(full.duckdb_path), read_only=True) as con:
        snapshot_date = con.execute(
            "select snapshot_date from intermediate.int_snapshot_dates where months_before = ?",
            [MONTHS_BEFORE],
        ).fetchall()[0][0]
    at_t_vars = {"as_of_date": str(snapshot_date), "history_months": HISTORY_MONTHS - MONTHS_BEFORE}
    assert_ok(at_t.dbt("build", *select, "--vars", json.dumps(at_t_vars)))
    before, after = _fitted(full, snapshot_date), _fitted(at_t, snapshot_date)
    assert before["churn_probability_fitted"].notna().all() and len(before) > 0
    pd.testing.assert_frame_equal(before, after)


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("forecast_vars"))
    assert_ok(ws.c360("generate", "--customers", "1000", "--quiet"))
    return ws


@pytest.mark.parametrize("horizon", ["0", "1.5", "'soon'"])
def test_churn_horizon_not_a_positive_whole_number_fails_by_name(
    small_raw: Workspace, horizon: str
) -> None:
    result = small_raw.dbt(
        "build",
        *CAUTIOUS,
        "--select",
        "+int_customer_snapshot_outcomes",
        "--vars",
        f"{{churn_horizon_days: {horizon}}}",
    )
    assert result.returncode != 0
    assert "churn_horizon_days" in result.stdout + result.stderr


def test_horizon_longer_than_history_warns_by_name(small_raw: Workspace) -> None:
    result = small_raw.dbt(
        "build",
        *CAUTIOUS,
        "--select",
        "+int_customer_snapshots_churn_scored",
        "--vars",
        "{history_months: 3, churn_horizon_days: 180}",
    )
    assert_ok(result)
    assert "churn_horizon_days_leaves_an_evaluable_snapshot" in result.stdout
    assert "churn_fit_min_evaluable_snapshots" in result.stdout  # the fallback warning
    with duckdb.connect(str(small_raw.duckdb_path), read_only=True) as con:
        sources = con.sql(
            "select distinct churn_model_source "
            "from intermediate.int_customer_snapshots_churn_scored"
        ).fetchall()
    assert sources == [("configured",)]


def test_churn_model_source_configured_uses_the_formula(small_raw: Workspace) -> None:
    result = small_raw.dbt(
        "build",
        *CAUTIOUS,
        "--select",
        "+int_customer_snapshots_churn_scored",
        "--vars",
        "{churn_model_source: configured}",
    )
    assert_ok(result)
    with duckdb.connect(str(small_raw.duckdb_path), read_only=True) as con:
        differing = con.sql(
            "select count(*) from intermediate.int_customer_snapshots_churn_scored "
            "where churn_model_source <> 'configured' "
            "or churn_probability <> churn_probability_configured"
        ).fetchall()[0][0]
    assert differing == 0


def test_churn_model_source_other_value_fails_by_name(small_raw: Workspace) -> None:
    result = small_raw.dbt(
        "build",
        *CAUTIOUS,
        "--select",
        "int_customer_snapshots_churn_scored",
        "--vars",
        "{churn_model_source: magic}",
    )
    assert result.returncode != 0
    assert "churn_model_source" in result.stdout + result.stderr


def test_report_shows_how_good_the_forecasts_are(demo_build: Workspace) -> None:
    assert_ok(demo_build.c360("report", "--no-png"))
    page = (demo_build.reports_dir / "customer_value_report.html").read_text(encoding="utf-8")
    for section in ("forecast-churn-quality", "forecast-churn-calibration", "forecast-revenue"):
        assert f'id="section-{section}"' in page
    with duckdb.connect(str(demo_build.published_path), read_only=True) as con:
        latest = con.sql(
            "select churn_model_source, training_first_snapshot_date, training_last_snapshot_date "
            "from customer360__churn_model_training order by snapshot_date desc limit 1"
        ).fetchall()[0]
    source, first, last = latest
    assert source == "fitted"
    assert f"trained on the snapshots {first} to {last}" in page
