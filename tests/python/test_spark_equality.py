"""The same models on Spark give the same marts as on DuckDB, row by row.

One generated raw data set (2,000 customers) is built twice with the real dbt: on the default
DuckDB target and on the `spark` target (dbt-spark's session method, a local PySpark). Spark's
marts are read from the Parquet files of its warehouse with DuckDB, so the comparison does not
depend on Spark's Python API. Keys, texts, flags, tiers, segments, stages, integers and dates
must be equal; money (decimal columns) within a cent; other numbers (ratios, scores,
probabilities) within a relative 1e-9.

Skipped, with the reason, only when Java or PySpark is missing (scripts/install_spark.sh
installs both; CI runs it).
"""

from __future__ import annotations

import importlib.util
import math
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pytest
from conftest import Workspace, assert_ok

CUSTOMERS = "2000"
MONEY_TOLERANCE = Decimal("0.01")
RELATIVE_TOLERANCE = 1e-9
# Below this magnitude a relative tolerance means nothing: compare absolutely.
ABSOLUTE_FLOOR = 1e-12
# Models both engines build, and the columns that identify a row of each.
MART_KEYS: dict[str, tuple[str, ...]] = {
    "customer360__customer_value_analysis": ("customer_id",),
    "customer360__segment_summary": ("customer_segment",),
    "customer360__segment_distributions": ("dimension", "customer_segment", "dimension_value"),
    "customer360__rfm_thresholds": ("rfm_dimension", "score"),
    "customer360__correlation_summary": ("segment", "x_column", "y_column"),
    "customer360__customer_score_history": ("customer_id", "snapshot_date"),
    "customer360__watchlist": ("customer_id", "rule_id"),
    "customer360__owner_book_of_business": ("account_owner_id",),
}
# Partitioned by snapshot_date on Spark (its incremental strategy replaces partitions).
PARTITIONED = {"customer360__customer_score_history"}
# Fingerprints are each engine's own hash of the same inputs (DuckDB's hash, Spark's xxhash64):
# they must be stable per engine, not equal across engines. Everything they cover is compared.
ENGINE_SPECIFIC_COLUMNS = {"scoring_config_fingerprint", "input_fingerprint"}
# The value forecasts come from a Python model (pymc-marketing), which runs on DuckDB only: on
# Spark these columns are NULL (README, "Scaling out"), and the test holds Spark to that.
DUCKDB_ONLY_COLUMNS = {"p_alive", "predicted_purchases_365d", "predicted_revenue_365d"}
# Rejected rows have no key of their own (every version of a conflicting duplicate is kept) and
# each engine spells the raw row's JSON its own way: compare how many rows each
# (table, key, reason, column) has.
REJECTED_ROWS = "customer360__rejected_rows"
REJECTED_ROWS_KEY = ("source_table", "source_key", "reason", "rejected_column")
# Seeds and models: the comparison needs the marts only. (The data tests pass on Spark too, but
# take about ten minutes there, each storing its failures as a table; unit tests are DuckDB's.)
# The fitted models are Python models, which run on DuckDB only: Spark scores churn with the
# configured formula (README, "Scaling out"), so both engines are compared on that formula.
BUILD_ARGS = (
    "build",
    "--resource-type",
    "seed",
    "--resource-type",
    "model",
    "--vars",
    "{churn_model_source: configured}",
)


def missing_spark_requirement() -> str | None:
    if shutil.which("java") is None:
        return "Java is not installed (Spark needs Java 17+); run scripts/install_spark.sh"
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed in this environment; run scripts/install_spark.sh"
    return None


pytestmark = pytest.mark.skipif(
    missing_spark_requirement() is not None, reason=str(missing_spark_requirement())
)


@dataclass(frozen=True)
class Table:
    """One mart: its column names, and its rows keyed by the key columns."""

    columns: list[str]
    rows: dict[tuple, dict[str, object]]


def read_table(con: duckdb.DuckDBPyConnection, relation: str, key: tuple[str, ...]) -> Table:
    """All rows of a relation (or a parenthesised query) by key; the key must be unique."""
    described = con.execute(f"describe select * from {relation}").fetchall()
    columns = [row[0] for row in described]
    result = con.execute(f"select * from {relation}")
    names = [column[0] for column in result.description]
    rows: dict[tuple, dict[str, object]] = {}
    for values in result.fetchall():
        row = dict(zip(names, values, strict=True))
        row_key = tuple(row[column] for column in key)
        assert row_key not in rows, f"{relation}: duplicate key {row_key}"
        rows[row_key] = row
    return Table(columns, rows)


def values_differ(duck_value: object, spark_value: object) -> bool:
    if duck_value is None or spark_value is None:
        return (duck_value is None) != (spark_value is None)
    if isinstance(duck_value, Decimal) and isinstance(spark_value, Decimal):
        return abs(duck_value - spark_value) > MONEY_TOLERANCE
    if isinstance(duck_value, float | Decimal) and isinstance(spark_value, float | Decimal):
        expected, actual = float(duck_value), float(spark_value)
        if math.isnan(expected) or math.isnan(actual):
            return math.isnan(expected) != math.isnan(actual)
        allowed = max(RELATIVE_TOLERANCE * abs(expected), ABSOLUTE_FLOOR)
        return abs(expected - actual) > allowed
    return duck_value != spark_value


def differences(duck: Table, spark: Table, ordered: bool = True) -> list[str]:
    """What differs between the two builds of one mart, as readable lines (none when equal).

    Spark puts partition columns last, so a partitioned table's columns compare as a set.
    """
    found: list[str] = []
    if (duck.columns != spark.columns) if ordered else (set(duck.columns) != set(spark.columns)):
        found.append(f"columns differ: duckdb {duck.columns} spark {spark.columns}")
    for side, only in (
        ("duckdb", duck.rows.keys() - spark.rows.keys()),
        ("spark", spark.rows.keys() - duck.rows.keys()),
    ):
        if only:
            found.append(f"{len(only)} rows only on {side}, e.g. {sorted(only, key=str)[:3]}")
    for row_key in sorted(duck.rows.keys() & spark.rows.keys(), key=str):
        for column in duck.columns:
            if column not in spark.columns or column in ENGINE_SPECIFIC_COLUMNS:
                continue
            duck_value, spark_value = duck.rows[row_key][column], spark.rows[row_key][column]
            if column in DUCKDB_ONLY_COLUMNS:
                if spark_value is not None:
                    found.append(f"{row_key} {column}: spark {spark_value!r}, expected NULL")
                continue
            if values_differ(duck_value, spark_value):
                found.append(f"{row_key} {column}: duckdb {duck_value!r} spark {spark_value!r}")
    return found


def timed(run: Callable[..., subprocess.CompletedProcess[str]], *args: str, **env: str) -> float:
    """Seconds one dbt invocation took; it must succeed."""
    started = time.perf_counter()
    assert_ok(run(*args, **env))
    return time.perf_counter() - started


def test_spark_builds_the_same_marts_as_duckdb(workspace: Workspace) -> None:
    ws = workspace
    assert_ok(ws.c360("generate", "--customers", CUSTOMERS, "--out", str(ws.raw_dir), "--quiet"))
    spark_dir = ws.root / "spark"

    duckdb_seconds = timed(ws.dbt, *BUILD_ARGS)
    spark_seconds = timed(ws.dbt, *BUILD_ARGS, "--target", "spark", C360_SPARK_DIR=str(spark_dir))
    print(
        f"seeds + models, {CUSTOMERS} customers: duckdb {duckdb_seconds:.0f} s, "
        f"spark {spark_seconds:.0f} s"
    )

    # Derby's metastore and log stay under C360_SPARK_DIR, out of the checkout.
    assert (spark_dir / "metastore_db").is_dir() and (spark_dir / "derby.log").is_file()
    warehouse = spark_dir / "warehouse" / "main.db"
    con = duckdb.connect()
    con.execute(f"attach '{ws.duckdb_path}' as built_on_duckdb (read_only)")
    relations = {
        model: (
            f"built_on_duckdb.main.{model}",
            f"read_parquet('{warehouse / model}/*/*.parquet', hive_partitioning = true)"
            if model in PARTITIONED
            else f"read_parquet('{warehouse / model}/*.parquet')",
        )
        for model in [*MART_KEYS, REJECTED_ROWS]
    }
    for model, (duck_relation, spark_relation) in relations.items():
        pattern = "*/*.parquet" if model in PARTITIONED else "*.parquet"
        assert sorted((warehouse / model).glob(pattern)), f"no Parquet for {model} on Spark"
        if model == REJECTED_ROWS:
            key, counted = REJECTED_ROWS_KEY, ", ".join(REJECTED_ROWS_KEY)
            duck_relation, spark_relation = (
                f"(select {counted}, count(*) as row_count from {relation} group by {counted})"
                for relation in (duck_relation, spark_relation)
            )
        else:
            key = MART_KEYS[model]
        duck = read_table(con, duck_relation, key)
        spark = read_table(con, spark_relation, key)
        assert duck.rows, f"{model} is empty on DuckDB"
        found = differences(duck, spark, ordered=model not in PARTITIONED)
        assert not found, f"{model}: {len(found)} differences\n" + "\n".join(found[:20])

    mart = con.execute(
        "select count(*), count(distinct customer_segment), count(distinct lifecycle_stage), "
        "sum(case when is_high_value_enterprise then 1 else 0 end) "
        "from built_on_duckdb.main.customer360__customer_value_analysis"
    ).fetchone()
    assert mart is not None
    customers, segments, stages, hve = mart
    # A real comparison: most generated customers are accepted, and the mart is not degenerate.
    assert customers >= 0.95 * int(CUSTOMERS)
    # (2,000 customers over 54 owners: every Gold or Platinum customer holds more than 5% of
    # its owner's book, so the Enterprise segment may be empty; HVE and SMB are there.)
    assert segments >= 2 and stages >= 4 and hve > 0
