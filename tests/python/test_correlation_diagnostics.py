"""customer360__correlation_diagnostics against scipy.stats, on the demo build and on edge cases.

The demo test reads the table dbt built; the edge-case tests run the model's own `model()` on a
small DuckDB table through a minimal stand-in for dbt's `dbt` object (config and ref only), so
the SQL reduction and the statistics are the real ones.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd
import pytest
import yaml
from conftest import PROJECT_DIR, Workspace
from scipy import stats

MODEL_PATH = (
    PROJECT_DIR / "python_models" / "diagnostics" / "customer360__correlation_diagnostics.py"
)
TOLERANCE = 1e-9


HISTORY_MODEL_PATH = MODEL_PATH.with_name("customer360__correlation_history.py")


def load_model_module(path: Path = MODEL_PATH) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def configured_pairs() -> list[tuple[str, str]]:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return [tuple(pair) for pair in project["vars"]["correlation_pairs"]]


def scipy_figures(x: pd.Series, y: pd.Series) -> dict[str, float]:
    pearson = stats.pearsonr(x, y)
    interval = pearson.confidence_interval(confidence_level=0.95)
    return {
        "pearson_r": pearson.statistic,
        "spearman_rho": stats.spearmanr(x, y).statistic,
        "p_value": pearson.pvalue,
        "ci_low": interval.low,
        "ci_high": interval.high,
    }


def assert_matches_scipy(row: pd.Series, complete: pd.DataFrame) -> None:
    expected = scipy_figures(complete["x"], complete["y"])
    assert row["n"] == len(complete)
    for column in ("pearson_r", "spearman_rho", "ci_low", "ci_high"):
        assert row[column] == pytest.approx(expected[column], abs=TOLERANCE), column
    # p-values run down to 1e-300 here: compare relatively, and exactly 0 where scipy underflows.
    assert row["p_value"] == pytest.approx(expected["p_value"], rel=1e-6, abs=1e-300)


@pytest.fixture(scope="module")
def demo_frames(demo_build: Workspace) -> tuple[pd.DataFrame, pd.DataFrame]:
    with duckdb.connect(str(demo_build.duckdb_path), read_only=True) as con:
        diagnostics = con.sql("select * from customer360__correlation_diagnostics").df()
        mart = con.sql("select * from customer360__customer_value_analysis").df()
    return diagnostics, mart


def test_one_row_per_segment_and_configured_pair(demo_frames) -> None:
    diagnostics, mart = demo_frames
    pairs = configured_pairs()
    segments = ["All", *sorted(mart["customer_segment"].unique())]
    expected = [(segment, x, y) for segment in segments for x, y in pairs]
    actual = list(diagnostics[["segment", "x_column", "y_column"]].itertuples(index=False))
    assert [tuple(row) for row in actual] == expected


def test_demo_figures_match_scipy(demo_frames) -> None:
    diagnostics, mart = demo_frames
    for _, row in diagnostics.iterrows():
        rows = mart if row["segment"] == "All" else mart[mart["customer_segment"] == row["segment"]]
        complete = (
            rows[[row["x_column"], row["y_column"]]]
            .set_axis(["x", "y"], axis=1)
            .dropna()
            .astype(float)
        )
        assert complete["x"].nunique() > 1 and complete["y"].nunique() > 1
        assert_matches_scipy(row, complete)
        assert row["reason"] is None or pd.isna(row["reason"])
        assert row["strength"] in {"negligible", "weak", "moderate", "strong", "very strong"}


def test_demo_strength_follows_documented_bounds(demo_frames) -> None:
    diagnostics, _ = demo_frames
    bounds = [(0.1, "negligible"), (0.3, "weak"), (0.5, "moderate"), (0.7, "strong")]
    for _, row in diagnostics.iterrows():
        expected = next((label for upper, label in bounds if abs(row["pearson_r"]) < upper), None)
        assert row["strength"] == (expected or "very strong")


class _Config:
    def __init__(self, values: dict[str, object]) -> None:
        self.values = values

    def get(self, key: str, default: object = None) -> object:
        return self.values.get(key, default)


class _Dbt:
    """The two things the model asks of dbt: its config and the mart relation."""

    def __init__(self, con: duckdb.DuckDBPyConnection, config: dict[str, object]) -> None:
        self.con = con
        self.config = _Config(config)

    def ref(self, name: str) -> duckdb.DuckDBPyRelation:
        assert name == "customer360__customer_value_analysis"
        return self.con.query("select * from mart")


EDGE_ROWS = [
    # segment, x, y: Normal has ties and one row with y NULL (a partial NULL for the pair).
    *[("Normal", x, y) for x, y in [(1, 2.0), (2, 1.0), (2, 4.0), (3, 3.0), (4, 4.0), (5, None)]],
    *[("Normal", 6, 9.5), ("Normal", None, 1.0)],
    *[("Constant", 7, y) for y in (1.0, 2.0, 3.0, 4.0)],
    *[("Pair", 1, 1.0), ("Pair", 2, 3.0), ("Pair", None, 5.0)],
    *[("Three", 1, 2.0), ("Three", 2, 1.0), ("Three", 3, 5.0)],
    *[("Empty", None, 1.0), ("Empty", 2, None)],
]


@pytest.fixture(scope="module")
def edge_result() -> tuple[pd.DataFrame, pd.DataFrame]:
    module = load_model_module()
    con = duckdb.connect()
    con.execute("create table mart (customer_segment varchar, x integer, y decimal(18, 2))")
    con.executemany("insert into mart values (?, ?, ?)", EDGE_ROWS)
    config = {"correlation_pairs": "[['x', 'y']]"}
    table = module.model(_Dbt(con, config), con)
    frame = table.to_pandas().set_index("segment")
    data = pd.DataFrame(EDGE_ROWS, columns=["customer_segment", "x", "y"])
    return frame, data


def test_edge_cases_give_null_statistics_and_a_reason(edge_result) -> None:
    frame, _ = edge_result
    expected_reasons = {
        "Constant": ("x_column is constant", 4),
        "Pair": ("at least 3 needed", 2),
        "Empty": ("no rows where both columns are non-NULL", 0),
    }
    for segment, (reason, n) in expected_reasons.items():
        row = frame.loc[segment]
        assert row["n"] == n
        assert reason in row["reason"]
        assert all(pd.isna(row[c]) for c in ("pearson_r", "spearman_rho", "p_value", "strength"))


def test_edge_case_statistics_use_complete_rows_only(edge_result) -> None:
    frame, data = edge_result
    for segment in ("All", "Normal"):
        rows = data if segment == "All" else data[data["customer_segment"] == segment]
        complete = rows[["x", "y"]].dropna().astype(float)
        assert_matches_scipy(frame.loc[segment], complete)
        assert pd.isna(frame.loc[segment]["reason"])


def test_three_rows_have_correlations_but_no_interval(edge_result) -> None:
    frame, data = edge_result
    row = frame.loc["Three"]
    complete = data[data["customer_segment"] == "Three"][["x", "y"]].astype(float)
    assert row["n"] == 3
    assert row["pearson_r"] == pytest.approx(stats.pearsonr(complete.x, complete.y).statistic)
    assert row["spearman_rho"] == pytest.approx(stats.spearmanr(complete.x, complete.y).statistic)
    assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
    assert "Fisher z interval" in row["reason"]


def test_a_column_the_mart_lacks_is_named() -> None:
    module = load_model_module()
    con = duckdb.connect()
    con.execute("create table mart (customer_segment varchar, x double)")
    dbt = _Dbt(con, {"correlation_pairs": [["x", "no_such_column"]]})
    with pytest.raises(ValueError, match="no_such_column"):
        module.model(dbt, con)


def test_model_file_has_no_jinja() -> None:
    # dbt renders Python models as Jinja templates: braces in a comment break compilation.
    assert "{{" not in Path(MODEL_PATH).read_text()


# --- customer360__correlation_history (SPEC section 7) ------------------------------------------


@pytest.fixture(scope="module")
def history_frames(demo_build: Workspace) -> tuple[pd.DataFrame, pd.DataFrame]:
    with duckdb.connect(str(demo_build.duckdb_path), read_only=True) as con:
        correlations = con.sql("select * from customer360__correlation_history").df()
        history = con.sql("select * from customer360__customer_score_history").df()
    return correlations, history


def test_history_has_every_snapshot_segment_and_pair(history_frames) -> None:
    correlations, history = history_frames
    pairs = configured_pairs()
    expected = {
        (snapshot, segment, x, y)
        for snapshot, rows in history.groupby("snapshot_date")
        for segment in ["All", *rows["customer_segment"].unique()]
        for x, y in pairs
    }
    keys = correlations[["snapshot_date", "segment", "x_column", "y_column"]]
    actual = {tuple(row) for row in keys.itertuples(index=False)}
    assert actual == expected and len(correlations) == len(expected)


def test_history_figures_match_scipy_per_snapshot(history_frames) -> None:
    correlations, history = history_frames
    snapshots = sorted(history["snapshot_date"].unique())
    for snapshot in (snapshots[0], snapshots[len(snapshots) // 2], snapshots[-1]):
        rows_at = history[history["snapshot_date"] == snapshot]
        for _, row in correlations[correlations["snapshot_date"] == snapshot].iterrows():
            rows = (
                rows_at
                if row["segment"] == "All"
                else rows_at[rows_at["customer_segment"] == row["segment"]]
            )
            complete = (
                rows[[row["x_column"], row["y_column"]]]
                .set_axis(["x", "y"], axis=1)
                .dropna()
                .astype(float)
            )
            if (
                pd.notna(row["reason"])
                or complete["x"].nunique() < 2
                or complete["y"].nunique() < 2
            ):
                assert pd.isna(row["pearson_r"]) or len(complete) < 4
                continue
            assert_matches_scipy(row, complete)


def test_history_shift_is_the_fisher_z_difference(history_frames) -> None:
    correlations, _ = history_frames
    ordered = correlations.sort_values("snapshot_date")
    checked = 0
    for _, rows in ordered.groupby(["segment", "x_column", "y_column"]):
        previous = None
        for _, row in rows.iterrows():
            if previous is not None:
                assert row["previous_snapshot_date"] == previous["snapshot_date"]
            if (
                previous is not None
                and pd.notna(row["pearson_r"])
                and pd.notna(previous["pearson_r"])
            ):
                se = math.sqrt(1 / (row["n"] - 3) + 1 / (previous["n"] - 3))
                z = (math.atanh(row["pearson_r"]) - math.atanh(previous["pearson_r"])) / se
                assert row["shift_z"] == pytest.approx(z, abs=1e-9)
                assert bool(row["is_shift"]) == (abs(z) > 1.96)
                checked += 1
            previous = row
    assert checked > 100


class _HistoryDbt:
    """What the history model asks of dbt: config, the history and the snapshot dates, `this`."""

    this = None  # no table of an earlier build

    def __init__(self, con: duckdb.DuckDBPyConnection, config: dict[str, object]) -> None:
        self.con = con
        self.config = _Config(config)

    def ref(self, name: str) -> duckdb.DuckDBPyRelation:
        tables = {
            "customer360__customer_score_history": "history",
            "int_snapshot_dates": "snapshot_dates",
        }
        return self.con.query(f"select * from {tables[name]}")


def test_history_without_any_customer_is_empty_not_an_error() -> None:
    """Every raw row rejected (as_of_date before the data): no history row, no statistics."""
    module = load_model_module(HISTORY_MODEL_PATH)
    con = duckdb.connect()
    con.execute(
        "create table history (snapshot_date date, customer_segment varchar, x integer, y double)"
    )
    con.execute(
        "create table snapshot_dates as "
        "select date '1990-01-31' as snapshot_date, true as is_computed"
    )
    table = module.model(_HistoryDbt(con, {"correlation_pairs": "[['x', 'y']]"}), con)
    assert table.num_rows == 0
    assert table.schema == module.HISTORY_SCHEMA
