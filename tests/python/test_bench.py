"""`c360 bench` at a tiny scale: the JSON record, and a pandas-equals-mart check that is real.

No timing is asserted: the machine is shared, only the presence and sanity of the figures are.
"""

from __future__ import annotations

import argparse
import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import PROJECT_DIR, Workspace, assert_ok

from customer360 import bench
from customer360.bench import run
from customer360.bench.floor import duckdb_settings_sql
from customer360.bench.measure import BuildRun, ChildRun, Measured
from customer360.commands import bench as bench_command
from customer360.settings import DEFAULT_DUCKDB_MEMORY_LIMIT

RECORD_FIELDS = {
    "customers",
    "raw_rows",
    "build_s",
    "model_s",
    "dbt_fixed_s",
    "spec_floor_s",
    "floor_s",
    "pandas_s",
    "pandas_accepted_s",
    "peak_rss_mb",
    "ratios",
    "models_s",
    "pandas_check",
}
MACHINE_FIELDS = {"cores", "memory_gb", "python", "duckdb", "dbt_core", "dbt_duckdb"}


@pytest.fixture(scope="module")
def tiny_bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict, str]:
    """One benchmark run at 1,000 customers, one repetition."""
    workspace = Workspace(tmp_path_factory.mktemp("bench"))
    result = workspace.c360(
        "bench",
        "--scales",
        "1k",
        "--repeat",
        "1",
        "--work-dir",
        str(workspace.root / "bench"),
        "--json",
        str(workspace.root / "bench.json"),
    )
    assert_ok(result)
    return workspace, json.loads((workspace.root / "bench.json").read_text()), result.stdout


def _paths(workspace: Workspace) -> bench.ScalePaths:
    scale = bench.parse_scale("1k")
    return bench.ScalePaths.of(PROJECT_DIR, workspace.root / "bench", scale, bench.DEFAULT_SEED)


def test_record_has_the_figures_and_the_machine(tiny_bench: tuple[Workspace, dict, str]) -> None:
    _, result, stdout = tiny_bench
    assert result["machine"].keys() >= MACHINE_FIELDS
    (record,) = result["records"]
    assert record.keys() >= RECORD_FIELDS
    assert record["scale"] == "1k"
    assert record["customers"] == 1_000
    assert record["raw_rows"] == sum(record["raw_rows_by_table"].values()) > 1_000
    for key in ("build_s", "model_s", "spec_floor_s", "floor_s", "pandas_s", "pandas_accepted_s"):
        assert record[key] > 0, key
    pieces = {"build", "spec_floor", "pandas", "floor", "pandas_accepted"}
    assert set(record["peak_rss_mb"]) == pieces
    assert all(mb > 0 for mb in record["peak_rss_mb"].values())
    ratios = record["ratios"]
    assert ratios["models_over_spec_floor"] == pytest.approx(
        record["model_s"] / record["spec_floor_s"]
    )
    assert ratios["build_over_spec_floor"] == pytest.approx(
        record["build_s"] / record["spec_floor_s"]
    )
    assert ratios["pandas_over_build"] == pytest.approx(record["pandas_s"] / record["build_s"])
    # the old anchors, under their labels
    assert ratios["build_over_floor"] == pytest.approx(record["model_s"] / record["floor_s"])
    assert ratios["pandas_accepted_over_build"] == pytest.approx(
        record["pandas_accepted_s"] / record["build_s"]
    )
    assert "customer360__customer_value_analysis" in record["models_s"]
    for label in ("1k", "SPEC floor s", "old floor s", "old pandas s", "pandas/build", "cores"):
        assert label in stdout, label


def test_history_cost_is_measured_in_the_same_run(tiny_bench: tuple[Workspace, dict, str]) -> None:
    """Issue 17's and 16's figures: the snapshot build, the history, one month added, the fits."""
    workspace, result, stdout = tiny_bench
    history = result["records"][0]["history"]
    for key in ("snapshot_model_s", "history_sql_model_s", "month_added_model_s", "forecast_fit_s"):
        assert history[key] > 0, key
    assert set(history["forecast_fit_s_by_model"]) == set(bench.FORECAST_MODELS)
    ratios = history["ratios"]
    # "adds": the monthly rebuild's model time beyond the snapshot build's, per second of it
    assert ratios["month_added_over_snapshot_models"] == pytest.approx(
        (history["month_added_sql_model_s"] - history["snapshot_sql_model_s"])
        / history["snapshot_sql_model_s"]
    )
    assert "history at 1k" in stdout
    # The rebuild kept the history of the month before and computed only the new month.
    log = (_paths(workspace).logs_dir / "bench-build-month-added.log").read_text()
    plan = re.search(r"customer360: history: computing (\d+) \(new", log)
    assert plan and plan.group(1) == "1", log[-2000:]


def test_pandas_equals_the_mart_on_every_accepted_customer(
    tiny_bench: tuple[Workspace, dict, str],
) -> None:
    workspace, result, _ = tiny_bench
    paths = _paths(workspace)
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as connection:
        (mart_rows,) = connection.execute(f"select count(*) from {bench.MART}").fetchone()
    check = result["records"][0]["pandas_check"]
    assert check["equal"] is True
    assert check["customers_compared"] == mart_rows > 0


def test_a_difference_from_the_mart_is_an_error(tiny_bench: tuple[Workspace, dict, str]) -> None:
    workspace, _, _ = tiny_bench
    paths = _paths(workspace)
    pandas_result = pd.read_parquet(paths.build_dir / "bench-pandas-1.parquet")
    mart = bench.read_mart(paths.duckdb_path)
    assert bench.compare_with_mart(pandas_result, mart).equal
    old_path = pd.read_parquet(paths.build_dir / "bench-pandas-accepted-1.parquet")
    assert bench.compare_with_mart(old_path, mart).equal

    customer = mart.index[0]
    tampered = mart.copy()
    tampered.loc[customer, "recency_score"] = tampered.loc[customer, "recency_score"] % 5 + 1
    comparison = bench.compare_with_mart(pandas_result, tampered)
    assert not comparison.equal
    assert comparison.mismatches["recency_score"] == 1

    within, beyond = mart.copy(), mart.copy()
    within["portfolio_contribution_pct"] += 1e-12
    beyond.loc[customer, "portfolio_contribution_pct"] += 1e-6
    assert bench.compare_with_mart(pandas_result, within).equal
    assert bench.compare_with_mart(pandas_result, beyond).mismatches["portfolio_contribution_pct"]
    assert not bench.compare_with_mart(pandas_result, mart.iloc[1:]).equal


def test_command_exits_non_zero_when_pandas_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    def differing(*_: object) -> dict:
        raise bench.BenchMismatch("pandas differs from the mart: customer_tier: 1 rows")

    monkeypatch.setattr(bench, "run_benchmark", differing)
    args = argparse.Namespace(
        scales="1k",
        include_10m=False,
        repeat=1,
        seed=1,
        work_dir=None,
        json=None,
        no_history=False,
        no_pandas=False,
    )
    assert bench_command.run(args) == 1


def test_the_history_is_measured_against_the_median_snapshot_build() -> None:
    def build(model_s: float) -> BuildRun:
        return BuildRun(model_s + 5, 100.0, model_s, {"a": model_s / 2, "b": model_s / 2}, 0, 0)

    slow, median, fast = build(60.0), build(48.0), build(45.0)
    assert run._median_build([slow, fast, median]) is median
    assert run._median_build([slow, fast]) is fast
    assert run._median_build([median]) is median


def test_scales_parse_and_10m_needs_its_flag() -> None:
    assert bench.parse_scale("10k") == bench.Scale("10k", 10_000)
    assert bench.parse_scale("1M") == bench.Scale("1m", 1_000_000)
    assert bench.parse_scale("2500") == bench.Scale("2500", 2_500)
    assert [s.label for s in bench.select_scales(None, False)] == ["10k", "100k", "1m"]
    assert [s.label for s in bench.select_scales(None, True)][-1] == "10m"
    with pytest.raises(bench.BenchError, match="--include-10m"):
        bench.select_scales("10m", False)
    with pytest.raises(bench.BenchError, match="unknown scale"):
        bench.select_scales("lots", False)


def test_pandas_is_skipped_where_the_raw_rows_would_not_fit() -> None:
    """At 10M (350M raw rows) pandas would need some 70 GiB: skipped with the reason, not killed."""
    assert run.pandas_skip_reason(34_857_745, 23.5) is None  # 1M: 7 GiB
    reason = run.pandas_skip_reason(350_000_000, 23.5)
    assert reason is not None
    assert "69 GiB" in reason and "23.5 GiB" in reason
    assert run.pandas_skip_reason(10_000, 23.5, wanted=False) == "skipped: --no-pandas"

    build = BuildRun(100.0, 2_000.0, 90.0, {"a_model": 60.0}, 20.0, 1.0)
    spec_floor, floor = ChildRun(10.0, 10.5, 900.0), ChildRun(2.0, 2.2, 300.0)
    parse = Measured(2.0, 400.0, 0)
    repetition = run.Repetition(build, parse, spec_floor, None, floor, None)
    raw = run.RawData({"customers": 10_000_000, "transactions": 340_000_000}, None)
    record = run.scale_record(
        bench.parse_scale("10m"), 42, raw, [repetition], None, reason, [[1.0], [1.0]]
    )
    assert record["pandas_s"] is None and record["pandas_accepted_s"] is None
    assert record["peak_rss_mb"]["pandas"] is None
    assert record["ratios"]["pandas_over_build"] is None
    assert record["ratios"]["models_over_spec_floor"] == 6.0
    assert record["pandas_check"]["skipped"] == reason
    assert record["runs"][0]["pandas_s"] is None

    machine = run.machine_info()
    table = run.format_table(
        {"records": [record], "machine": machine, "build_command": "dbt build"}
    )
    row = table.splitlines()[2]
    assert " 2000/900/- |" in row and " 6.0x |" in row
    assert f"pandas at 10m: {reason}" in table


def test_the_floor_runs_under_the_profiles_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SPEC floor and dbt get the same DuckDB memory limit, set or not."""
    profile = (PROJECT_DIR / "profiles.yml").read_text()
    defaults = re.findall(r"env_var\('C360_DUCKDB_MEMORY_LIMIT', '([^']*)'\)", profile)
    assert defaults == [DEFAULT_DUCKDB_MEMORY_LIMIT]
    monkeypatch.delenv("C360_DUCKDB_MEMORY_LIMIT", raising=False)
    assert f"set memory_limit = '{DEFAULT_DUCKDB_MEMORY_LIMIT}';" in duckdb_settings_sql()
    monkeypatch.setenv("C360_DUCKDB_MEMORY_LIMIT", "7GB")
    assert "set memory_limit = '7GB';" in duckdb_settings_sql()


def _write_accepted(directory: Path, transactions: list[tuple[str, str, str]]) -> None:
    """Accepted rows as the benchmark exports them; owners: a/b share o1, c/d/e have none."""
    directory.mkdir()
    customers = pd.DataFrame(
        {"customer_id": list("abcde"), "account_owner_id": ["o1", "o1", None, None, None]}
    )
    customers.to_parquet(directory / "customers.parquet")
    as_of = pd.Timestamp("2025-12-31")
    frame = pd.DataFrame(transactions, columns=["customer_id", "transaction_ts", "amount"])
    frame["cents"] = [int(Decimal(amount) * 100) for amount in frame["amount"]]
    frame["days"] = (as_of - pd.to_datetime(frame["transaction_ts"]).dt.normalize()).dt.days
    frame[["customer_id", "cents", "days"]].to_parquet(directory / "transactions.parquet")
    (directory / "as_of.json").write_text(json.dumps({"as_of_date": as_of.date().isoformat()}))


def test_pandas_rules_on_hand_made_rows(tmp_path: Path) -> None:
    """Windows, ties, unranked customers, tier bounds and the pooled unowned portfolio."""
    _write_accepted(
        tmp_path / "accepted",
        [
            ("a", "2025-12-31 10:00", "1000.00"),  # with the next row: Platinum at its bound
            ("a", "2025-01-01 00:00", "1500.00"),  # as_of - 364: inside the 365-day window
            ("b", "2025-12-31 09:00", "100.00"),
            ("b", "2024-12-31 23:59", "5000.00"),  # as_of - 365: outside 12m, inside RFM
            ("c", "2025-06-30 00:00", "2500.00"),  # tie with d on recency and frequency
            ("d", "2025-06-30 12:00", "300.00"),
            ("d", "2025-07-01 12:00", "-50.00"),  # a refund: not a purchase, in monetary
            ("e", "2025-06-01 00:00", "-10.00"),  # only a refund: unranked
        ],
    )
    out = bench.pandas_core_mart(
        bench.exported_accepted_rows(tmp_path / "accepted"), *bench.core_rules(PROJECT_DIR)
    )
    assert out["customer_tier"].to_dict() == {
        "a": "Platinum",
        "b": "Basic",
        "c": "Platinum",
        "d": "Bronze",
        "e": "Basic",
    }
    # o1: a 2500 of 2600; the unowned pool: c 2500, d 250, e -10 of 2740.
    assert out.loc["a", "portfolio_contribution_pct"] == pytest.approx(100 * 2500 / 2600)
    assert out.loc["e", "portfolio_contribution_pct"] == pytest.approx(-100 * 10 / 2740)
    assert out["is_high_value_enterprise"].to_dict() == {
        "a": True,
        "b": False,
        "c": True,
        "d": False,
        "e": False,
    }
    # Ranked: a, b (frequency 2), c, d (frequency 1, recency 184 both): n = 4; a and c tie on
    # monetary (2500).
    assert out.loc[["c", "d"], "recency_score"].tolist() == [3, 3]  # k = 2: (10 + 3) // 4
    assert out.loc[["a", "b"], "recency_score"].tolist() == [5, 5]
    assert out.loc[["c", "d", "a"], "frequency_score"].tolist() == [3, 3, 5]
    assert out.loc[["d", "c", "a", "b"], "monetary_score"].tolist() == [2, 4, 4, 5]
    scores = ["recency_score", "frequency_score", "monetary_score"]
    assert out.loc["e", scores].tolist() == [1, 1, 1]
    assert out.loc["e", "rfm_composite_score"] == pytest.approx(1.0)
