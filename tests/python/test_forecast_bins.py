"""Ranks and calibration bins of the forecast evaluation (customer360.forecast_bins).

The sums per bin must give the figures of SPEC section 8 exactly as scikit-learn and scipy
compute them from the rows: on hand-made rows with ties, and on random rows where every
segment and 'All' is checked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy.stats import rankdata, spearmanr
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from customer360.forecast_bins import (
    Segments,
    forecast_bins,
    ntile,
    sorted_average_ranks,
    stable_order,
)

TOLERANCE = 1e-9


def bins_frame(forecast, predicted, outcome, segments) -> pd.DataFrame:
    return bins_frame_of(forecast, predicted, outcome, Segments.of(segments))


def bins_frame_of(forecast, predicted, outcome, segments: Segments) -> pd.DataFrame:
    rows = forecast_bins(
        "2025-01-31",
        forecast,
        np.asarray(predicted, float),
        np.asarray(outcome, float),
        segments,
    )
    return pd.DataFrame(list(rows))


def test_average_ranks_share_the_mean_of_tied_positions() -> None:
    values = np.array([0.1, 0.4, 0.4, 0.4, 0.9, 0.9])
    assert sorted_average_ranks(values).tolist() == [1.0, 3.0, 3.0, 3.0, 5.5, 5.5]
    assert sorted_average_ranks(np.array([])).tolist() == []


@pytest.mark.parametrize(
    "values",
    [
        [],
        [0.5],
        [0.3, 0.1, 0.2],
        [0.4, 0.1, 0.4, 0.4, 0.1, 0.9],  # tie runs, in position order
        [0.0, -0.0, 0.0, -1.0],  # -0.0 equals 0.0: a tie
        [0.2, float("nan"), 0.1, float("nan")],  # NaN: the plain stable sort
        np.round(np.random.default_rng(5).uniform(0, 1, 20_000), 2).tolist(),
    ],
)
def test_stable_order_is_numpys_stable_argsort(values: list[float]) -> None:
    values = np.asarray(values, float)
    assert stable_order(values).tolist() == np.argsort(values, kind="stable").tolist()


@pytest.mark.parametrize("n", [1, 4, 10, 23, 100, 1001])
def test_ntile_matches_sql(n: int) -> None:
    # SQL ntile(10): the first n mod 10 bins hold one row more than the others
    expected = []
    size, longer = divmod(n, 10)
    for bin_number in range(1, 11):
        expected += [bin_number] * (size + (1 if bin_number <= longer else 0))
    assert ntile(n).tolist() == expected


def test_ties_bins_segments_and_all() -> None:
    # rows in customer_id order: A1..A4; A2 and A3 tie at 0.4 and A2 comes first
    frame = bins_frame(
        "churn_probability",
        [0.2, 0.4, 0.4, 0.8],
        [0, 1, 0, 1],
        ["SMB", "SMB", "Enterprise", "Enterprise"],
    )
    every = frame[frame.customer_segment == "All"].set_index("calibration_bin")
    # four customers fill bins 1-4; A2 (churned, rank 2.5) before A3 (retained)
    assert every.customers.tolist() == [1, 1, 1, 1]
    assert every.predicted_sum.tolist() == [0.2, 0.4, 0.4, 0.8]
    assert every.outcome_sum.tolist() == [0, 1, 0, 1]
    assert every.positive_rank_sum.tolist() == [0.0, 2.5, 0.0, 4.0]
    smb = frame[frame.customer_segment == "SMB"].set_index("calibration_bin")
    assert smb.positive_rank_sum.tolist() == [0.0, 2.0]
    enterprise = frame[frame.customer_segment == "Enterprise"].set_index("calibration_bin")
    assert enterprise.predicted_sum.tolist() == [0.4, 0.8]
    assert set(frame.customer_segment) == {"All", "SMB", "Enterprise"}


def test_segments_from_arrow_match_the_names_they_encode() -> None:
    # the model reads segments as Arrow chunks; a segment absent from a forecast's known rows
    # gives no group
    column = pa.chunked_array([["SMB", "Enterprise"], ["SMB", "High-Value Enterprise"]])
    segments = Segments.from_arrow(column)
    assert [segments.names[code] for code in segments.codes] == column.to_pylist()
    frame = bins_frame_of(
        "churn_probability",
        [0.1, 0.2, 0.3],
        [0, 1, 0],
        segments.where(np.array([True, True, True, False])),
    )
    assert set(frame.customer_segment) == {"All", "SMB", "Enterprise"}
    assert frame[frame.customer_segment == "SMB"].customers.sum() == 2


def churn_figures(bins: pd.DataFrame) -> dict[str, float]:
    n = bins.customers.sum()
    positives = bins.outcome_sum.sum()
    auc = (bins.positive_rank_sum.sum() - positives * (positives + 1) / 2) / (
        positives * (n - positives)
    )
    rates = (bins.predicted_sum / bins.customers - bins.outcome_sum / bins.customers).abs()
    return {
        "roc_auc": auc,
        "brier": bins.squared_error_sum.sum() / n,
        "log_loss": bins.log_loss_sum.sum() / n,
        "calibration_error": rates.mean(),
    }


def spearman_from_sums(bins: pd.DataFrame) -> float:
    n = bins.customers.sum()
    sx, sy = bins.predicted_rank_sum.sum(), bins.outcome_rank_sum.sum()
    sxx, syy = bins.predicted_rank_square_sum.sum(), bins.outcome_rank_square_sum.sum()
    sxy = bins.rank_product_sum.sum()
    return (n * sxy - sx * sy) / np.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy))


def test_churn_figures_equal_scikit_learn_per_segment_and_all() -> None:
    generator = np.random.default_rng(7)
    n = 5_003
    # rounded probabilities give many ties; some at the clip bounds
    predicted = np.round(generator.uniform(0, 1, n), 2)
    predicted[:5] = [0.0, 1.0, 0.0, 1.0, 0.5]
    outcome = (generator.uniform(0, 1, n) < predicted).astype(float)
    segments = generator.choice(["SMB", "Enterprise", "High-Value Enterprise"], n)
    frame = bins_frame("churn_probability", predicted, outcome, segments)
    for segment, bins in frame.groupby("customer_segment"):
        mask = np.ones(n, bool) if segment == "All" else segments == segment
        p, y = predicted[mask], outcome[mask]
        figures = churn_figures(bins)
        assert figures["roc_auc"] == pytest.approx(roc_auc_score(y, p), abs=TOLERANCE)
        assert figures["brier"] == pytest.approx(brier_score_loss(y, p), abs=TOLERANCE)
        assert figures["log_loss"] == pytest.approx(log_loss(y, p), abs=TOLERANCE)
        # the reference bins: ntile(10) over (predicted, customer position)
        order = np.lexsort((np.arange(mask.sum()), p))
        reference = pd.DataFrame({"bin": ntile(len(p)), "p": p[order], "y": y[order]})
        by_bin = reference.groupby("bin").mean()
        expected = (by_bin.p - by_bin.y).abs().mean()
        assert figures["calibration_error"] == pytest.approx(expected, abs=TOLERANCE)


def test_revenue_spearman_equals_scipy() -> None:
    generator = np.random.default_rng(11)
    n = 2_011
    predicted = np.round(generator.gamma(1.0, 100.0, n), 0)
    realised = np.where(
        generator.uniform(0, 1, n) < 0.4, 0.0, predicted * generator.uniform(0, 2, n)
    )
    segments = generator.choice(["SMB", "Enterprise"], n)
    frame = bins_frame("predicted_revenue_365d", predicted, realised, segments)
    for segment, bins in frame.groupby("customer_segment"):
        mask = np.ones(n, bool) if segment == "All" else segments == segment
        expected = spearmanr(predicted[mask], realised[mask]).statistic
        assert spearman_from_sums(bins) == pytest.approx(expected, abs=TOLERANCE)
        assert bins.predicted_sum.sum() == pytest.approx(predicted[mask].sum(), rel=1e-12)
        assert bins.outcome_sum.sum() == pytest.approx(realised[mask].sum(), rel=1e-12)
        # the ranks are scipy's average ranks
        assert bins.predicted_rank_sum.sum() == pytest.approx(
            rankdata(predicted[mask]).sum(), rel=1e-12
        )
