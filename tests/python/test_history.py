"""The kept history (SPEC section 7, issue 17) on a small generated demo.

- A build computes only the snapshots it does not hold; an unchanged rebuild computes none, a
  changed scoring var recomputes all, a changed non-scoring var none, a late transaction the
  snapshots on or after its date, --full-refresh all; the log says which and why. What the
  builds kept (history, churn features, outcomes, forecast bins, correlation history) equals
  a full refresh.
- The history rule: every history row equals the mart row of a build with as_of_date =
  snapshot_date on the same raw files and vars, fitted churn included: both snapshots compared
  lie where the history holds the fitted model's whole training window.
- Every var of dbt_project.yml is classified as scoring or non-scoring, exactly once.

The builds select the mart and its parents (seeds and models, without tests) to stay fast.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import PROJECT_DIR, Workspace, assert_ok

HISTORY = "customer360__customer_score_history"
MART = "customer360__customer_value_analysis"
TREND_COLUMNS = {
    "health_score_change_3m",
    "churn_probability_change_3m",
    "rfm_composite_change_3m",
    "recency_score_change_1m",
    "frequency_score_change_1m",
    "rf_declining_3m",
}
CORRELATION_HISTORY = "customer360__correlation_history"
FORECAST_BINS = "int_customer_snapshot_forecasts_binned"
# the models kept from build to build like the history, by the relation they are read from
KEPT = {
    "features": "intermediate.int_customer_snapshot_features",
    "outcomes": "intermediate.int_customer_snapshot_outcomes",
    "forecast bins": f"intermediate.{FORECAST_BINS}",
    "correlation history": f"main.{CORRELATION_HISTORY}",
}
BUILD = (
    "build",
    "--select",
    f"+{MART}",
    f"+{CORRELATION_HISTORY}",
    f"+{FORECAST_BINS}",
    "--exclude-resource-type",
    "unit_test",
    "--exclude-resource-type",
    "test",
)
PLAN = re.compile(r"customer360: history: (computing .*?; keeping \d+ unchanged)")
PROJECT_VARS = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
CHURN_HORIZON_DAYS = PROJECT_VARS["churn_horizon_days"]


def build(ws: Workspace, *args: str, **env: str) -> str:
    """Build the mart and its parents; return the history plan line of the log."""
    result = ws.dbt(*BUILD, *args, **env)
    assert_ok(result)
    plans = PLAN.findall(result.stdout)
    assert len(plans) == 1, f"expected one history plan line in the log:\n{result.stdout}"
    return plans[0]


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after day's month (day is a first of the month)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def history_columns(database: Path) -> list[str]:
    """Column names of the history table, in table order (to index fetched rows)."""
    with duckdb.connect(str(database), read_only=True) as con:
        return [row[0] for row in con.execute(f"describe main.{HISTORY}").fetchall()]


def history_rows(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        query = f"select * from main.{HISTORY} order by snapshot_date, customer_id"
        return con.execute(query).fetchall()


def kept_models_rows(database: Path) -> dict[str, list[tuple]]:
    """The rows of the other models kept from build to build like the history."""
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            name: con.execute(f"select * from {relation} order by all").fetchall()
            for name, relation in KEPT.items()
        }


def judged_dates(database: Path) -> set[str]:
    """The snapshot dates whose outcomes and forecast bins the last build computed."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select cast(snapshot_date as varchar) from intermediate.int_snapshot_dates"
            " where is_outcome_computed"
        ).fetchall()
    return {day for (day,) in rows}


def plus_days(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def snapshot_dates(database: Path) -> dict[int, str]:
    """months_before -> snapshot date (ISO) of the last build."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select months_before, cast(snapshot_date as varchar)"
            " from intermediate.int_snapshot_dates"
        ).fetchall()
    return dict(rows)


@pytest.fixture(scope="module")
def history_build(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """1,000 generated customers, built once with the default vars (24 months of history)."""
    ws = Workspace(tmp_path_factory.mktemp("history"))
    assert_ok(ws.c360("generate", "--customers", "1000", "--quiet"))
    plan = build(ws)
    dates = snapshot_dates(ws.duckdb_path)
    assert len(dates) == 25
    assert plan == f"computing 25 (new, {dates[24]} to {dates[0]}); keeping 0 unchanged"
    return ws


def copy_workspace(source: Workspace, root: Path) -> Workspace:
    copy = Workspace(root)
    shutil.copytree(source.raw_dir, copy.raw_dir)
    shutil.copy2(source.duckdb_path, copy.duckdb_path)
    return copy


def append_transaction(raw_dir: Path, customer_id: str, day: str) -> None:
    """One more accepted purchase for customer_id at noon on day, in the raw Parquet file."""
    path = raw_dir / "transactions.parquet"
    appended = raw_dir / "transactions.appended.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"""
            copy (
                select * from read_parquet('{path}')
                union all
                select
                    'T_APPENDED_1',
                    '{customer_id}',
                    cast('{day} 12:00:00' as timestamp),
                    cast(123.45 as decimal(18, 2)),
                    'expansion'
            ) to '{appended}' (format parquet)
            """
        )
    appended.replace(path)


def test_history_is_kept_and_recomputed_only_when_inputs_change(
    history_build: Workspace, tmp_path: Path
) -> None:
    ws = copy_workspace(history_build, tmp_path)
    dates = snapshot_dates(ws.duckdb_path)
    columns = history_columns(ws.duckdb_path)
    first = history_rows(ws.duckdb_path)
    assert first

    # (b) an unchanged rebuild computes nothing and leaves the table as it was
    assert build(ws) == "computing no snapshot; keeping 25 unchanged"
    assert history_rows(ws.duckdb_path) == first

    # (d) a var that does not score customers (drift monitoring) recomputes nothing
    plan = build(ws, "--vars", '{"drift_z_threshold": 2.5}')
    assert plan == "computing no snapshot; keeping 25 unchanged"
    assert history_rows(ws.duckdb_path) == first

    # (e) a late transaction dated on the snapshot one month before recomputes that snapshot
    #     and as_of_date's, and keeps the 23 earlier ones row for row
    with duckdb.connect(str(ws.duckdb_path), read_only=True) as con:
        customer_id, count_before = con.execute(
            f"select customer_id, transaction_count from main.{HISTORY}"
            f" where snapshot_date = date '{dates[1]}' order by customer_id limit 1"
        ).fetchone()
    append_transaction(ws.raw_dir, customer_id, dates[1])
    plan = build(ws)
    assert plan == f"computing 2 (input changed, {dates[1]} to {dates[0]}); keeping 23 unchanged"
    after = history_rows(ws.duckdb_path)
    recomputed = {dates[0], dates[1]}
    day, customer = columns.index("snapshot_date"), columns.index("customer_id")
    assert [row for row in after if str(row[day]) not in recomputed] == [
        row for row in first if str(row[day]) not in recomputed
    ]
    with duckdb.connect(str(ws.duckdb_path), read_only=True) as con:
        counts = con.execute(
            f"select cast(snapshot_date as varchar), transaction_count from main.{HISTORY}"
            f" where customer_id = '{customer_id}' and snapshot_date >= date '{dates[2]}'"
        ).fetchall()
    first_counts = {
        str(row[day]): row[columns.index("transaction_count")]
        for row in first
        if row[customer] == customer_id and str(row[day]) >= dates[2]
    }
    assert first_counts[dates[1]] == count_before
    assert dict(counts) == {
        dates[2]: first_counts[dates[2]],
        dates[1]: first_counts[dates[1]] + 1,
        dates[0]: first_counts[dates[0]] + 1,
    }

    # (f) --full-refresh recomputes every snapshot, and finds what the kept builds kept: the
    #     history, the churn features and the correlation history equal a build from nothing
    kept = kept_models_rows(ws.duckdb_path)
    plan = build(ws, "--full-refresh")
    assert plan == f"computing 25 (full refresh, {dates[24]} to {dates[0]}); keeping 0 unchanged"
    assert same_rows(history_rows(ws.duckdb_path), after)
    for name, rows in kept_models_rows(ws.duckdb_path).items():
        assert same_kept_rows(name, rows, kept[name]), name

    # (c) a scoring var recomputes every snapshot, with a new configuration fingerprint
    plan = build(ws, "--vars", '{"rfm_window_days": 365}')
    assert plan == (
        f"computing 25 (scoring configuration changed, {dates[24]} to {dates[0]});"
        " keeping 0 unchanged"
    )
    with duckdb.connect(str(ws.duckdb_path), read_only=True) as con:
        fingerprints = con.execute(
            f"select count(distinct scoring_config_fingerprint) from main.{HISTORY}"
        ).fetchone()[0]
    assert fingerprints == 1
    fingerprint = columns.index("scoring_config_fingerprint")
    assert history_rows(ws.duckdb_path)[0][fingerprint] != first[0][fingerprint]


def test_a_month_added_keeps_what_a_build_from_nothing_computes(
    history_build: Workspace, tmp_path: Path
) -> None:
    """The monthly rebuild: a database built a month before as_of_date, rebuilt at as_of_date,
    computes the new month (and drops the oldest) and holds what the build from nothing holds:
    history, features, outcomes (whose windows the new month closes), forecast bins and
    correlation history."""
    ws = copy_workspace(history_build, tmp_path)
    dates = snapshot_dates(ws.duckdb_path)
    month_before = build(ws, "--vars", f'{{"as_of_date": "{dates[1]}"}}')
    assert month_before.startswith("computing 1 (new"), month_before
    plan = build(ws, "--vars", f'{{"as_of_date": "{dates[0]}"}}')
    assert plan == f"computing 1 (new, {dates[0]} to {dates[0]}); keeping 24 unchanged"
    # Judged again: the new month and the snapshots whose churn horizon or revenue year the new
    # month closes; the others keep their outcomes and forecast bins.
    closed = {
        day
        for day in dates.values()
        for window_days in (CHURN_HORIZON_DAYS, 365)
        if dates[1] < plus_days(day, window_days) <= dates[0]
    }
    assert judged_dates(ws.duckdb_path) == {dates[0]} | closed
    assert len(closed) == 2, closed
    assert same_rows(history_rows(ws.duckdb_path), history_rows(history_build.duckdb_path))
    fresh = kept_models_rows(history_build.duckdb_path)
    for name, rows in kept_models_rows(ws.duckdb_path).items():
        assert same_kept_rows(name, rows, fresh[name]), name


def same_value(left: object, right: object) -> bool:
    """Money and integers exactly, doubles to 1e-12 relative, everything else equal."""
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=0.0)
    return left == right


def same_figure(left: object, right: object) -> bool:
    """same_value, and a float near 0 (a p-value, a shift) to 1e-12 absolute."""
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-12)
    return same_value(left, right)


# Spearman's rho, column 7 of the correlation history, is compared to 1e-3. One CI run found
# it different after a --full-refresh, though the correlation model gives the same rows on the
# same inputs and the history matched to 1e-12: 325 pairs of health scores differ only in their
# last bit, so a score whose last bit changes between builds forms or breaks a tie, which moved
# rho by up to 2e-4 on the demo. Health scores are now rounded to 10 decimals, which leaves no
# such pair; the tolerance stays until runs show the gap gone.
SPEARMAN_COLUMN = 6
SPEARMAN_TOLERANCE = 1e-3


def same_correlation_rows(left: list[tuple], right: list[tuple]) -> bool:
    """same_rows, but Spearman's rho to SPEARMAN_TOLERANCE."""

    def apart(rows: list[tuple]) -> tuple[list[tuple], list[object]]:
        rest = [(*row[:SPEARMAN_COLUMN], *row[SPEARMAN_COLUMN + 1 :]) for row in rows]
        return rest, [row[SPEARMAN_COLUMN] for row in rows]

    (left_rest, left_rho), (right_rest, right_rho) = apart(left), apart(right)
    return same_rows(left_rest, right_rest) and all(
        (a is None and b is None)
        or (a is not None and b is not None and abs(a - b) <= SPEARMAN_TOLERANCE)
        for a, b in zip(left_rho, right_rho, strict=True)
    )


def same_kept_rows(name: str, left: list[tuple], right: list[tuple]) -> bool:
    """same_rows for the kept model `name` (a key of KEPT); the correlation history's rho to
    SPEARMAN_TOLERANCE."""
    same = same_correlation_rows if name == "correlation history" else same_rows
    return same(left, right)


def same_rows(left: list[tuple], right: list[tuple]) -> bool:
    """The same rows in the same order, values compared by same_figure (a float summed in
    parallel may differ in its last bits from one build to the next)."""
    return len(left) == len(right) and all(
        len(a) == len(b) and all(same_figure(x, y) for x, y in zip(a, b, strict=True))
        for a, b in zip(left, right, strict=True)
    )


@pytest.mark.parametrize("months_before", [2, 13])
def test_history_row_equals_the_mart_built_at_that_date(
    history_build: Workspace, tmp_path: Path, months_before: int
) -> None:
    """The rule of SPEC 7: same raw files and vars, as_of_date = snapshot_date."""
    day = snapshot_dates(history_build.duckdb_path)[months_before]
    at_day = Workspace(tmp_path)
    build(at_day, "--vars", f'{{"as_of_date": "{day}"}}', C360_RAW_DIR=str(history_build.raw_dir))

    with duckdb.connect(str(at_day.duckdb_path), read_only=True) as con:
        mart_columns = [row[0] for row in con.execute(f"describe main.{MART}").fetchall()]
        mart = con.execute(f"select * from main.{MART}").fetchall()
    compared = [column for column in mart_columns if column not in TREND_COLUMNS]
    missing = set(compared) - set(history_columns(history_build.duckdb_path))
    assert not missing, f"mart columns missing from the history: {sorted(missing)}"

    with duckdb.connect(str(history_build.duckdb_path), read_only=True) as con:
        history = con.execute(
            f"select {', '.join(compared)} from main.{HISTORY} where snapshot_date = date '{day}'"
        ).fetchall()

    key = compared.index("customer_id")
    mart_rows = {row[mart_columns.index("customer_id")]: row for row in mart}
    history_rows_by_id = {row[key]: row for row in history}
    assert mart_rows, f"the mart built at {day} is empty"
    only_mart = sorted(set(mart_rows) - set(history_rows_by_id))
    only_history = sorted(set(history_rows_by_id) - set(mart_rows))
    assert not only_mart, f"customers in the mart at {day} without a history row: {only_mart[:10]}"
    assert not only_history, f"history rows at {day} the mart does not hold: {only_history[:10]}"

    differences = []
    for customer_id, history_row in history_rows_by_id.items():
        mart_row = mart_rows[customer_id]
        for index, column in enumerate(compared):
            mart_value = mart_row[mart_columns.index(column)]
            if not same_value(mart_value, history_row[index]):
                differences.append((customer_id, column, mart_value, history_row[index]))
    assert not differences, f"{len(differences)} differences at {day}, e.g. {differences[:10]}"


def macro_list(source: str, macro: str) -> list[str]:
    body = re.search(
        r"{%\s*macro\s+" + macro + r"\(\)\s*%}(.*?){%\s*endmacro\s*%}", source, re.DOTALL
    )
    assert body, f"macro {macro} not found"
    listed = re.search(r"return\(\[(.*?)\]\)", body.group(1), re.DOTALL)
    assert listed, f"macro {macro} does not return a list literal"
    return re.findall(r"'([a-z0-9_]+)'", listed.group(1))


def test_every_var_is_scoring_or_not_exactly_once() -> None:
    source = (PROJECT_DIR / "macros" / "config" / "c360_scoring_configuration.sql").read_text()
    scoring = macro_list(source, "c360_scoring_var_names")
    non_scoring = macro_list(source, "c360_non_scoring_var_names")
    project_vars = set(PROJECT_VARS)

    assert len(scoring) == len(set(scoring)), "a var is listed twice as scoring"
    assert len(non_scoring) == len(set(non_scoring)), "a var is listed twice as non-scoring"
    both = set(scoring) & set(non_scoring)
    assert not both, f"vars classified both ways: {sorted(both)}"
    unclassified = project_vars - set(scoring) - set(non_scoring)
    assert not unclassified, (
        f"vars of dbt_project.yml in neither c360_scoring_var_names nor"
        f" c360_non_scoring_var_names: {sorted(unclassified)}"
    )
    unknown = (set(scoring) | set(non_scoring)) - project_vars
    assert not unknown, f"classified vars that dbt_project.yml does not define: {sorted(unknown)}"


def test_unchanged_rebuild_computes_nothing_when_history_starts_before_any_customer(
    history_build: Workspace, tmp_path: Path
) -> None:
    """A snapshot date before the first signup holds no customer; it is still held.

    Either the build refuses such a range with a message naming history_months, or it warns
    naming history_months and a second build with the same vars keeps every snapshot, the
    empty one included (an unchanged rebuild computes nothing).
    """
    ws = copy_workspace(history_build, tmp_path)
    with duckdb.connect(str(ws.duckdb_path), read_only=True) as con:
        first_signup = con.execute(
            "select min(signup_date) from intermediate.int_customers_accepted"
        ).fetchone()[0]
    # A build as of the end of the 6th month after the first signup's month, whose earliest
    # snapshot (7 months before) is the last day of the month before the first signup: a short
    # range, so that the test builds 8 snapshots rather than a decade of them.
    months = 7
    as_of = add_months(first_signup.replace(day=1), months) - timedelta(days=1)
    history_vars = json.dumps({"history_months": months, "as_of_date": as_of.isoformat()})
    first = ws.dbt(*BUILD, "--vars", history_vars)
    assert "history_months" in first.stdout, first.stdout
    if first.returncode != 0:
        return
    assert build(ws, "--vars", history_vars) == (
        f"computing no snapshot; keeping {months + 1} unchanged"
    )
