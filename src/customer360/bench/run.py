"""Benchmark of the pipeline against its floor and a plain pandas implementation (`c360 bench`).

For each scale (customers), raw data is generated once per (scale, seed) and cached; then each
repetition measures, every piece in its own subprocess so that its peak RSS is its own:

- build: `dbt build --exclude-resource-type unit_test` (unit tests run on fixtures, not on the
  benchmark's data, so they are not timed) into a fresh DuckDB file, with a warm partial parse.
  From run_results.json: the execution time of each model and test, and the span from the first
  node's start to the last node's end; dbt's fixed cost is the wall time outside that span
  (start-up, parsing, writing artifacts). A separate `dbt parse` is timed as well.
- floor: one DuckDB query that reads every raw file once and aggregates per customer.
- pandas: the mart's core columns (tier, portfolio share, HVE flag, RFM scores, composite) as a
  pandas user would compute them, on the rows the mart accepted (read from the built database's
  int_*_validated views, untimed), then checked equal to the mart: a difference is an error.

Medians over the repetitions are reported, and the ratios compare pieces of the same run, since
absolute times on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from importlib import metadata
from pathlib import Path
from typing import Any

from customer360.dbt_runner import dbt_executable
from customer360.settings import find_project_dir

DEFAULT_SCALES = ("10k", "100k", "1m")
# Scales from this size on take minutes to generate and much longer to build: opt-in only.
LARGE_SCALE_CUSTOMERS = 10_000_000
DEFAULT_REPEAT = 3
DEFAULT_SEED = 42
# Exact for tiers, flags and scores; floats (a share, a weighted sum) to this absolute tolerance.
FLOAT_TOLERANCE = 1e-9
MART = "main.customer360__customer_value_analysis"
CORE_COLUMNS = (
    "customer_tier",
    "portfolio_contribution_pct",
    "is_high_value_enterprise",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "rfm_composite_score",
)
FLOAT_COLUMNS = ("portfolio_contribution_pct", "rfm_composite_score")
RAW_MARKER = "bench-raw.json"
# dbt threads for the timed build unless C360_THREADS says otherwise. With one, model times do
# not overlap, so their sum is the time spent in models. Two threads (the profile's default)
# finish no sooner, as DuckDB already spreads each query over every core, and they inflate each
# model's time (1M customers: build 50.0 s against 49.4 s, model times 61 s against 33 s).
BENCH_DBT_THREADS = "1"
BUILD_COMMAND = ("build", "--exclude-resource-type", "unit_test")
# The snapshot mart alone (SPEC 7: history_months 0), against which the history is measured.
SNAPSHOT_VARS = {"history_months": 0}
# The fitted Python models (SPEC 8): their time is the forecasts' fitting time.
FORECAST_MODELS = (
    "int_customer_snapshots_churn_fitted",
    "int_customer_snapshots_purchase_forecast",
)


class BenchError(RuntimeError):
    """A benchmark step failed (dbt, a subprocess, bad options)."""


class BenchMismatch(BenchError):
    """The pandas implementation disagrees with the mart."""


# --- scales -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """A benchmark size: its label (10k, 1m, ...) and number of customers."""

    label: str
    customers: int


def scale_label(customers: int) -> str:
    for suffix, unit in (("m", 1_000_000), ("k", 1_000)):
        if customers % unit == 0:
            return f"{customers // unit}{suffix}"
    return str(customers)


def parse_scale(text: str) -> Scale:
    """'10k', '1m', '2500' -> Scale; the label is normalised so cache dirs are stable."""
    match = re.fullmatch(r"(\d+)([km]?)", text.strip().lower().replace("_", ""))
    if not match:
        raise BenchError(f"unknown scale {text!r}: use a number of customers, e.g. 10k, 1m, 2500")
    customers = int(match[1]) * {"": 1, "k": 1_000, "m": 1_000_000}[match[2]]
    return Scale(scale_label(customers), customers)


def select_scales(text: str | None, include_10m: bool) -> list[Scale]:
    """The scales to run: --scales, else the defaults (+10m with the flag)."""
    labels = text.split(",") if text else [*DEFAULT_SCALES, *(["10m"] if include_10m else [])]
    scales = [parse_scale(label) for label in labels if label.strip()]
    too_large = [s.label for s in scales if s.customers >= LARGE_SCALE_CUSTOMERS]
    if too_large and not include_10m:
        raise BenchError(
            f"scale {', '.join(too_large)} takes minutes to generate and long to build; "
            "add --include-10m to run it"
        )
    return scales


# --- machine --------------------------------------------------------------------------------


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def bench_dbt_threads() -> str:
    return os.environ.get("C360_THREADS", BENCH_DBT_THREADS)


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on: stated with every result."""
    memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": round(memory_bytes / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": _version("duckdb"),
        "dbt_core": _version("dbt-core"),
        "dbt_duckdb": _version("dbt-duckdb"),
        "pandas": _version("pandas"),
        "dbt_threads": int(bench_dbt_threads()),
        "duckdb_memory_limit": os.environ.get("C360_DUCKDB_MEMORY_LIMIT", "3GB"),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- subprocess measurement -----------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """Wall time and peak resident memory of one finished subprocess."""

    wall_s: float
    peak_rss_mb: float
    returncode: int


# Linux gives a process the peak RSS of the process it was forked from as its own starting
# ru_maxrss, so a child of this (large) process would report at least our size. A tiny launcher
# (isolated Python, no site) forks the measured command instead and reports wait4's figure.
_LAUNCHER = """
import os, sys
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as report:
    report.write(f"{usage.ru_maxrss} {code}")
sys.exit(code)
"""


def measure(command: Sequence[str], *, env: dict[str, str], cwd: Path, log: Path) -> Measured:
    """Run a command to completion; wall time and its own peak RSS (through the launcher)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    report = log.with_suffix(".rusage")
    report.unlink(missing_ok=True)
    launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report), *command]
    with log.open("w") as out:
        start = time.perf_counter()
        finished = subprocess.run(launcher, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        wall = time.perf_counter() - start
    if not report.is_file():  # the launcher itself failed (could not start the command)
        return Measured(wall, 0.0, finished.returncode or 1)
    max_rss_kib, returncode = (int(x) for x in report.read_text().split())
    return Measured(wall, max_rss_kib / 1024, returncode)  # Linux reports KiB


def _checked(measured: Measured, what: str, log: Path) -> Measured:
    if measured.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise BenchError(f"{what} failed (exit {measured.returncode}); log {log}:\n{tail}")
    return measured


# --- paths and raw data ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScalePaths:
    """Where one scale's raw data, database, dbt artifacts and intermediate files live."""

    project_dir: Path
    raw_dir: Path
    build_dir: Path

    @classmethod
    def of(cls, project_dir: Path, work_dir: Path, scale: Scale, seed: int) -> ScalePaths:
        return cls(
            project_dir,
            work_dir / f"raw-{scale.label}-{seed}",
            work_dir / f"build-{scale.label}-{seed}",
        )

    @property
    def duckdb_path(self) -> Path:
        # The file stem is the catalog name dbt writes into views: keep it fixed.
        return self.build_dir / "customer360.duckdb"

    @property
    def target_dir(self) -> Path:
        return self.build_dir / "target"

    @property
    def accepted_dir(self) -> Path:
        return self.build_dir / "accepted"

    @property
    def logs_dir(self) -> Path:
        return self.build_dir / "logs"

    def dbt_env(self) -> dict[str, str]:
        """dbt's environment: every path inside this scale's dirs, never the project's data/."""
        return {
            **os.environ,
            "C360_TARGET": "duckdb",
            "C360_THREADS": bench_dbt_threads(),
            "C360_PROJECT_DIR": str(self.project_dir),
            "C360_RAW_DIR": str(self.raw_dir),
            "C360_DUCKDB_PATH": str(self.duckdb_path),
            "C360_PUBLISHED_PATH": str(self.build_dir / "published.duckdb"),
            "DBT_TARGET_PATH": str(self.target_dir),
            "DBT_LOG_PATH": str(self.logs_dir),
            "DBT_PROFILES_DIR": str(self.project_dir),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }


@dataclass(frozen=True)
class RawData:
    rows: dict[str, int]
    generated_s: float | None  # None: reused from the cache


def ensure_raw_data(scale: Scale, seed: int, raw_dir: Path) -> RawData:
    """Generate the scale's raw files unless a complete generation with this seed is cached."""
    from customer360.generate import generate_raw_data

    marker = raw_dir / RAW_MARKER
    if marker.is_file():
        cached = json.loads(marker.read_text())
        files_present = all((raw_dir / f"{t}.parquet").is_file() for t in cached["rows"])
        if cached["customers"] == scale.customers and cached["seed"] == seed and files_present:
            return RawData(cached["rows"], None)
    start = time.perf_counter()
    rows = generate_raw_data(
        raw_dir, customers=scale.customers, seed=seed, show_progress=sys.stderr.isatty()
    )
    generated_s = time.perf_counter() - start
    # Written last: a generation killed half-way leaves no marker and is redone next time.
    marker.write_text(json.dumps({"customers": scale.customers, "seed": seed, "rows": rows}))
    return RawData(dict(rows), generated_s)


# --- the dbt build ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildRun:
    """One timed `dbt build`: wall time, node times from run_results.json, peak RSS."""

    wall_s: float
    peak_rss_mb: float
    span_s: float
    model_s: dict[str, float]
    test_s: float
    other_node_s: float

    @property
    def dbt_fixed_s(self) -> float:
        return self.wall_s - self.span_s


def _node_window(result: dict[str, Any]) -> tuple[datetime, datetime] | None:
    stamps = [
        (datetime.fromisoformat(t["started_at"]), datetime.fromisoformat(t["completed_at"]))
        for t in result.get("timing", [])
        if t.get("started_at") and t.get("completed_at")
    ]
    if not stamps:
        return None
    return min(s for s, _ in stamps), max(e for _, e in stamps)


def build_run_from(measured: Measured, run_results: dict[str, Any]) -> BuildRun:
    model_s: dict[str, float] = {}
    test_s = other_s = 0.0
    windows = []
    for result in run_results["results"]:
        kind, name = result["unique_id"].split(".")[0], result["unique_id"].split(".")[-1]
        seconds = float(result.get("execution_time") or 0.0)
        if kind == "model":
            model_s[name] = seconds
        elif kind == "test":
            test_s += seconds
        else:  # seeds, the on-run-start hook (registers the raw files), exposures
            other_s += seconds
        if window := _node_window(result):
            windows.append(window)
    span = (max(e for _, e in windows) - min(s for s, _ in windows)).total_seconds()
    return BuildRun(measured.wall_s, measured.peak_rss_mb, span, model_s, test_s, other_s)


def warm_parse(paths: ScalePaths) -> None:
    """Parse once, untimed, so every timed build and parse starts from a warm partial parse."""
    log = paths.logs_dir / "bench-warm-parse.log"
    _checked(_run_dbt(paths, ["parse"], log), "dbt parse", log)


def _run_dbt(paths: ScalePaths, args: list[str], log: Path) -> Measured:
    return measure([dbt_executable(), *args], env=paths.dbt_env(), cwd=paths.project_dir, log=log)


def time_build(
    paths: ScalePaths,
    repetition: int | str,
    variables: dict[str, Any] | None = None,
    *,
    fresh: bool = True,
) -> BuildRun:
    """One `dbt build`, from an empty database unless `fresh` is False (then it keeps the
    history the database holds, as a monthly rebuild does)."""
    if fresh:
        for stale in (
            paths.duckdb_path,
            paths.duckdb_path.with_name(paths.duckdb_path.name + ".wal"),
        ):
            stale.unlink(missing_ok=True)
    run_results = paths.target_dir / "run_results.json"
    run_results.unlink(missing_ok=True)
    log = paths.logs_dir / f"bench-build-{repetition}.log"
    args = list(BUILD_COMMAND) + (["--vars", json.dumps(variables)] if variables else [])
    measured = _checked(_run_dbt(paths, args, log), "dbt build", log)
    return build_run_from(measured, json.loads(run_results.read_text()))


def built_as_of_date(duckdb_path: Path) -> date:
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        return con.execute("select as_of_date from intermediate.int_as_of_date").fetchone()[0]


def month_end_before(day: date) -> date:
    """The last day of the calendar month before day's month (SPEC 7's "one month before")."""
    return day.replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class HistoryRuns:
    """The history's cost at one scale, all measured in one run of the benchmark.

    snapshot: the mart alone (history_months 0), from an empty database; history: the default
    build (history_months and forecasts), from an empty database; month_added: a rebuild of a
    database that holds the history up to the month before, adding one month.
    """

    snapshot: BuildRun
    history: BuildRun
    month_added: BuildRun
    as_of_date: date


def time_history(paths: ScalePaths, history: BuildRun) -> HistoryRuns:
    snapshot = time_build(paths, "snapshot", SNAPSHOT_VARS)
    as_of = built_as_of_date(paths.duckdb_path)
    time_build(paths, "month-before", {"as_of_date": month_end_before(as_of).isoformat()})
    month_added = time_build(paths, "month-added", {"as_of_date": as_of.isoformat()}, fresh=False)
    return HistoryRuns(snapshot, history, month_added, as_of)


def _sql_model_s(build: BuildRun) -> float:
    return sum(s for name, s in build.model_s.items() if name not in FORECAST_MODELS)


def _forecast_s(build: BuildRun) -> float:
    return sum(s for name, s in build.model_s.items() if name in FORECAST_MODELS)


def history_record(runs: HistoryRuns) -> dict[str, Any]:
    """Issue 17's targets (history adds at most 2x the snapshot build's model time, a month
    at most 0.25x, RSS under 4 GB) and issue 16's (fitting under the history build's time)."""
    snapshot_models = sum(runs.snapshot.model_s.values())
    snapshot_sql = _sql_model_s(runs.snapshot)
    history_models = sum(runs.history.model_s.values())
    history_sql = _sql_model_s(runs.history)
    fits = _forecast_s(runs.history)
    added = sum(runs.month_added.model_s.values())
    added_sql = _sql_model_s(runs.month_added)

    def over(part: float, whole: float) -> float | None:
        return part / whole if whole else None

    return {
        "as_of_date": runs.as_of_date.isoformat(),
        "snapshot_build_s": runs.snapshot.wall_s,
        "snapshot_model_s": snapshot_models,
        "snapshot_sql_model_s": snapshot_sql,
        "history_build_s": runs.history.wall_s,
        "history_model_s": history_models,
        "history_sql_model_s": history_sql,
        "forecast_fit_s": fits,
        "forecast_fit_s_by_model": {
            name: runs.history.model_s.get(name, 0.0) for name in FORECAST_MODELS
        },
        "month_added_build_s": runs.month_added.wall_s,
        "month_added_model_s": added,
        "month_added_sql_model_s": added_sql,
        "peak_rss_mb": {
            "snapshot": runs.snapshot.peak_rss_mb,
            "history": runs.history.peak_rss_mb,
            "month_added": runs.month_added.peak_rss_mb,
        },
        "ratios": {
            # SQL models: what the history adds per second of the snapshot build's SQL models
            "history_added_over_snapshot_models": over(history_sql - snapshot_sql, snapshot_sql),
            "month_added_over_snapshot_models": over(added_sql, snapshot_sql),
            # every model, the fitted Python ones included
            "history_added_over_snapshot_models_with_forecasts": over(
                history_models - snapshot_models, snapshot_models
            ),
            "month_added_over_snapshot_models_with_forecasts": over(added, snapshot_models),
            "forecast_fit_over_history_sql": over(fits, history_sql),
        },
        "slowest_history_models_s": dict(
            sorted(runs.history.model_s.items(), key=lambda item: -item[1])[:10]
        ),
    }


def time_parse(paths: ScalePaths, repetition: int) -> Measured:
    log = paths.logs_dir / f"bench-parse-{repetition}.log"
    return _checked(_run_dbt(paths, ["parse"], log), "dbt parse", log)


# --- child processes: the floor and pandas -----------------------------------------------------


@dataclass(frozen=True)
class ChildRun:
    """A timed piece run in a child process: its own timing of the work, wall time, RSS."""

    seconds: float
    wall_s: float
    peak_rss_mb: float


def run_child(paths: ScalePaths, piece: str, args: list[str], repetition: int) -> ChildRun:
    result = paths.build_dir / f"bench-{piece}-{repetition}.json"
    result.unlink(missing_ok=True)
    log = paths.logs_dir / f"bench-{piece}-{repetition}.log"
    command = [sys.executable, "-m", "customer360.bench", piece, *args, "--result", str(result)]
    measured = _checked(
        measure(command, env=paths.dbt_env(), cwd=paths.project_dir, log=log), piece, log
    )
    seconds = json.loads(result.read_text())["seconds"]
    return ChildRun(seconds, measured.wall_s, measured.peak_rss_mb)


# Per table: the customer key and what the floor aggregates (count, sums, latest timestamps).
FLOOR_AGGREGATES: dict[str, str] = {
    "transactions": "count(*) as transactions, sum(amount) as net_amount, "
    "max(transaction_ts) as last_transaction_ts",
    "activity_events": "count(*) as activity_events, max(event_ts) as last_event_ts",
    "funnel_events": "count(*) as funnel_events, max(event_ts) as last_funnel_ts",
    "support_tickets": "count(*) as support_tickets, sum(csat_score) as csat_total, "
    "max(opened_ts) as last_ticket_ts",
}


def floor_sql(raw_dir: Path) -> str:
    """One query reading every raw file once, aggregated to one row per customer."""

    def reader(table: str) -> str:
        return f"read_parquet('{(raw_dir / f'{table}.parquet').as_posix()}')"

    present = [t for t in FLOOR_AGGREGATES if (raw_dir / f"{t}.parquet").is_file()]
    ctes = [
        f"{table} as (select customer_id, {FLOOR_AGGREGATES[table]} from {reader(table)} "
        "group by customer_id)"
        for table in present
    ]
    ctes.append(
        "customers as (select customer_id, any_value(account_owner_id) as account_owner_id, "
        f"count(*) as customer_rows from {reader('customers')} group by customer_id)"
    )
    joins = [f"left join {table} using (customer_id)" for table in present]
    owners = ""
    if (raw_dir / "account_owners.parquet").is_file():
        ctes.append(
            "owners as (select account_owner_id, any_value(team) as team "
            f"from {reader('account_owners')} group by account_owner_id)"
        )
        owners = "left join owners using (account_owner_id)"
    return (
        "create or replace table customer_floor as with "
        + ", ".join(ctes)
        + f" select * from customers {owners} "
        + " ".join(joins)
    )


def duckdb_settings_sql() -> str:
    """The settings profiles.yml gives dbt's DuckDB, so the floor runs under the same limits."""
    memory = os.environ.get("C360_DUCKDB_MEMORY_LIMIT", "3GB")
    return f"set memory_limit = '{memory}'; set preserve_insertion_order = false;"


def _floor_child(args: argparse.Namespace) -> float:
    import duckdb  # imported before the clock starts, as pandas is

    for stale in (args.database, args.database.with_name(args.database.name + ".wal")):
        stale.unlink(missing_ok=True)
    with duckdb.connect(str(args.database)) as connection:
        connection.execute(duckdb_settings_sql())
        start = time.perf_counter()
        connection.execute(floor_sql(args.raw_dir))
        return time.perf_counter() - start


# --- the pandas implementation -----------------------------------------------------------------


@dataclass(frozen=True)
class MartRules:
    """The knobs of SPEC section 3 that the core columns depend on, from the project itself."""

    tier_names: tuple[str, ...]  # ascending by bound
    tier_bounds_cents: tuple[int, ...]
    enterprise_tiers: tuple[str, ...]
    hve_min_contribution_pct: Fraction
    rfm_window_days: int
    rfm_weights: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_project(cls, project_dir: Path) -> MartRules:
        import csv
        from decimal import Decimal

        import yaml

        project_vars = yaml.safe_load((project_dir / "dbt_project.yml").read_text())["vars"]
        with (project_dir / "seeds" / "tier_thresholds.csv").open(newline="") as seed:
            tiers = sorted(
                (int(Decimal(row["min_revenue_12m"]) * 100), row["customer_tier"])
                for row in csv.DictReader(seed)
            )
        return cls(
            tier_names=tuple(name for _, name in tiers),
            tier_bounds_cents=tuple(bound for bound, _ in tiers),
            enterprise_tiers=tuple(project_vars["enterprise_tiers"]),
            hve_min_contribution_pct=Fraction(str(project_vars["hve_min_contribution_pct"])),
            rfm_window_days=int(project_vars["rfm_window_days"]),
            rfm_weights={k: float(v) for k, v in project_vars["rfm_weights"].items()},
        )


def pandas_core_mart(accepted_dir: Path, rules: MartRules):  # -> pd.DataFrame
    """The core mart columns in plain pandas, indexed by customer_id.

    Money is summed in integer cents, so tier bounds and the strict HVE comparison are exact, as
    the mart's decimals are.
    """
    import pandas as pd

    as_of = pd.Timestamp(json.loads((accepted_dir / "as_of.json").read_text())["as_of_date"])
    customers = pd.read_parquet(accepted_dir / "customers.parquet").set_index("customer_id")
    transactions = pd.read_parquet(accepted_dir / "transactions.parquet", dtype_backend="pyarrow")
    cents = (transactions["amount"].astype("float64") * 100).round().astype("int64")
    days = (as_of - transactions["transaction_ts"].astype("datetime64[us]").dt.normalize()).dt.days
    frame = pd.DataFrame(
        {"customer_id": transactions["customer_id"].astype(str), "cents": cents, "days": days}
    )
    out = customers[["account_owner_id"]].copy()
    out["revenue_12m_cents"] = _trailing_sum(frame, 365).reindex(out.index, fill_value=0)
    _add_tier_and_portfolio(out, rules)
    _add_rfm(out, frame, rules)
    return out[list(CORE_COLUMNS)]


def _in_window(frame, days: int):  # -> pd.Series[bool]
    # Trailing N days: as_of - N < d <= as_of, i.e. 0 <= as_of - d < N.
    return (frame["days"] >= 0) & (frame["days"] < days)


def _trailing_sum(frame, days: int):  # -> pd.Series
    return frame.loc[_in_window(frame, days)].groupby("customer_id")["cents"].sum()


def _add_tier_and_portfolio(out, rules: MartRules) -> None:
    import numpy as np

    revenue = out["revenue_12m_cents"].to_numpy()
    # The highest tier whose bound is reached; below every bound, the lowest tier catches all.
    index = np.searchsorted(np.array(rules.tier_bounds_cents), revenue, side="right") - 1
    out["customer_tier"] = np.array(rules.tier_names, dtype=object)[np.maximum(index, 0)]
    # Portfolios by owner; the customers without one (NaN) form one pooled portfolio.
    total = out.groupby("account_owner_id", dropna=False)["revenue_12m_cents"].transform("sum")
    total = total.to_numpy()
    positive = total > 0
    share = 100 * (revenue / 100) / np.where(positive, total / 100, 1.0)
    out["portfolio_contribution_pct"] = np.where(positive, share, 0.0)
    pct = rules.hve_min_contribution_pct
    above = revenue * 100 * pct.denominator > pct.numerator * total  # strictly, in exact integers
    enterprise = out["customer_tier"].isin(rules.enterprise_tiers).to_numpy()
    out["is_high_value_enterprise"] = enterprise & positive & above


def _add_rfm(out, frame, rules: MartRules) -> None:
    window = frame.loc[_in_window(frame, rules.rfm_window_days)]
    purchases = window.loc[window["cents"] > 0].groupby("customer_id")["days"]
    ranked = purchases.agg(["size", "min"]).rename(columns={"size": "frequency", "min": "recency"})
    ranked["monetary"] = window.groupby("customer_id")["cents"].sum().reindex(ranked.index)
    n = len(ranked)
    # k = ranked customers no better than this one (ties share the largest k): rank "max".
    no_better = {
        "recency": ranked["recency"].rank(method="max", ascending=False),  # fewer days is better
        "frequency": ranked["frequency"].rank(method="max"),
        "monetary": ranked["monetary"].rank(method="max"),
    }
    for dimension, k in no_better.items():
        score = (5 * k.astype("int64") + n - 1) // n if n else k
        out[f"{dimension}_score"] = score.reindex(out.index, fill_value=1).astype("int64")
    weights = rules.rfm_weights
    out["rfm_composite_score"] = (
        weights["recency"] * out["recency_score"]
        + weights["frequency"] * out["frequency_score"]
        + weights["monetary"] * out["monetary_score"]
    )


def _pandas_child(args: argparse.Namespace) -> float:
    # Imported before the clock starts: module loading is start-up, not computation.
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    rules = MartRules.from_project(args.project_dir)
    start = time.perf_counter()
    result = pandas_core_mart(args.accepted_dir, rules)
    seconds = time.perf_counter() - start
    result.to_parquet(args.output)
    return seconds


# --- the check against the mart ---------------------------------------------------------------


def export_accepted_rows(duckdb_path: Path, accepted_dir: Path) -> None:
    """The rows the mart accepted, and its as_of_date, for the pandas implementation (untimed)."""
    import duckdb

    accepted_dir.mkdir(parents=True, exist_ok=True)
    queries = {
        "customers": "select customer_id, account_owner_id "
        "from intermediate.int_customers_validated where rejection_reason is null",
        "transactions": "select customer_id, transaction_ts, amount "
        "from intermediate.int_transactions_validated where rejection_reason is null",
    }
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        for name, query in queries.items():
            target = (accepted_dir / f"{name}.parquet").as_posix()
            connection.execute(f"copy ({query}) to '{target}' (format parquet)")
        (as_of,) = connection.execute(
            "select as_of_date from intermediate.int_as_of_date"
        ).fetchone()
    (accepted_dir / "as_of.json").write_text(json.dumps({"as_of_date": as_of.isoformat()}))


def read_mart(duckdb_path: Path):  # -> pd.DataFrame
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        frame = connection.execute(
            f"select customer_id, {', '.join(CORE_COLUMNS)} from {MART}"
        ).df()
    return frame.set_index("customer_id")


@dataclass(frozen=True)
class Comparison:
    """How the pandas result compares with the mart, row by row and column by column."""

    rows: int
    missing_in_pandas: int
    extra_in_pandas: int
    mismatches: dict[str, int]
    examples: list[str]

    @property
    def equal(self) -> bool:
        return not (self.missing_in_pandas or self.extra_in_pandas or any(self.mismatches.values()))

    def describe(self) -> str:
        parts = [f"{column}: {count:,} rows" for column, count in self.mismatches.items() if count]
        if self.missing_in_pandas or self.extra_in_pandas:
            parts.append(
                f"customers only in the mart: {self.missing_in_pandas:,}, "
                f"only in pandas: {self.extra_in_pandas:,}"
            )
        return "; ".join(parts) + ("; e.g. " + "; ".join(self.examples) if self.examples else "")


def compare_with_mart(pandas_result, mart) -> Comparison:  # (pd.DataFrame, pd.DataFrame)
    """Exact for tiers, flags and scores; FLOAT_TOLERANCE for the share and the composite."""
    import numpy as np

    common = mart.index.intersection(pandas_result.index)
    left, right = pandas_result.loc[common], mart.loc[common]
    mismatches: dict[str, int] = {}
    examples: list[str] = []
    for column in CORE_COLUMNS:
        ours, theirs = left[column], right[column]
        if column in FLOAT_COLUMNS:
            a, b = ours.to_numpy(dtype=float), theirs.to_numpy(dtype=float)
            differs = ~(np.abs(a - b) <= FLOAT_TOLERANCE)  # NaN on either side differs
        else:
            differs = (ours.astype(str) != theirs.astype(str)).to_numpy()
        mismatches[column] = int(differs.sum())
        examples += [
            f"{customer} {column} pandas={ours[customer]!r} mart={theirs[customer]!r}"
            for customer in common[differs][:2]
        ]
    return Comparison(
        rows=len(common),
        missing_in_pandas=len(mart.index.difference(pandas_result.index)),
        extra_in_pandas=len(pandas_result.index.difference(mart.index)),
        mismatches=mismatches,
        examples=examples[:6],
    )


def check_pandas_output(output: Path, duckdb_path: Path) -> Comparison:
    import pandas as pd

    comparison = compare_with_mart(pd.read_parquet(output), read_mart(duckdb_path))
    if not comparison.equal or comparison.rows == 0:
        raise BenchMismatch(f"pandas differs from the mart: {comparison.describe() or 'no rows'}")
    return comparison


# --- one scale, all scales ------------------------------------------------------------------------


@dataclass
class Repetition:
    build: BuildRun
    parse: Measured
    floor: ChildRun
    pandas: ChildRun


def _median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def run_scale(
    scale: Scale,
    paths: ScalePaths,
    *,
    seed: int,
    repeat: int,
    say: Callable[[str], None],
    with_history: bool = True,
) -> dict[str, Any]:
    """Generate (or reuse) the raw data of one scale, measure every piece `repeat` times, then
    (with_history) the history's cost once."""
    raw = ensure_raw_data(scale, seed, paths.raw_dir)
    rows = sum(raw.rows.values())
    say(
        f"[{scale.label}] raw data: {rows:,} rows in {paths.raw_dir} "
        + (f"(generated in {raw.generated_s:.1f} s)" if raw.generated_s else "(cached)")
    )
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    warm_parse(paths)
    load_before = load_average()
    repetitions: list[Repetition] = []
    comparison: Comparison | None = None
    for repetition in range(1, repeat + 1):
        build = time_build(paths, repetition)
        say(f"[{scale.label}] {repetition}/{repeat} dbt build {build.wall_s:.1f} s")
        if comparison is None:
            export_accepted_rows(paths.duckdb_path, paths.accepted_dir)
        parse = time_parse(paths, repetition)
        floor = run_child(paths, "floor", _floor_args(paths), repetition)
        say(f"[{scale.label}] {repetition}/{repeat} floor {floor.seconds:.2f} s")
        pandas_out = paths.build_dir / f"bench-pandas-{repetition}.parquet"
        pandas_args = _pandas_args(paths, pandas_out)
        pandas_run = run_child(paths, "pandas", pandas_args, repetition)
        comparison = check_pandas_output(pandas_out, paths.duckdb_path)
        say(
            f"[{scale.label}] {repetition}/{repeat} pandas {pandas_run.seconds:.2f} s, equal to "
            f"the mart on {comparison.rows:,} customers"
        )
        repetitions.append(Repetition(build, parse, floor, pandas_run))
    assert comparison is not None
    history = None
    if with_history:
        say(f"[{scale.label}] history: snapshot build, a build a month earlier, one month added")
        history = time_history(paths, repetitions[-1].build)
    record = scale_record(scale, seed, raw, repetitions, comparison, [load_before, load_average()])
    if history is not None:
        record["history"] = history_record(history)
    return record


def _floor_args(paths: ScalePaths) -> list[str]:
    database = paths.build_dir / "floor.duckdb"
    return ["--raw-dir", str(paths.raw_dir), "--database", str(database)]


def _pandas_args(paths: ScalePaths, output: Path) -> list[str]:
    return [
        "--accepted-dir",
        str(paths.accepted_dir),
        "--project-dir",
        str(paths.project_dir),
        "--output",
        str(output),
    ]


def scale_record(
    scale: Scale,
    seed: int,
    raw: RawData,
    repetitions: list[Repetition],
    comparison: Comparison,
    load: list[list[float]],
) -> dict[str, Any]:
    """One JSON record: medians over the repetitions, ratios of those medians."""
    builds = [r.build for r in repetitions]
    model_names = sorted({name for b in builds for name in b.model_s})
    models = {name: _median(b.model_s.get(name, 0.0) for b in builds) for name in model_names}
    build_s = _median(b.wall_s for b in builds)
    model_s = _median(sum(b.model_s.values()) for b in builds)
    floor_s = _median(r.floor.seconds for r in repetitions)
    pandas_s = _median(r.pandas.seconds for r in repetitions)
    return {
        "scale": scale.label,
        "customers": scale.customers,
        "seed": seed,
        "raw_rows": sum(raw.rows.values()),
        "raw_rows_by_table": raw.rows,
        "repeat": len(repetitions),
        "build_s": build_s,
        "model_s": model_s,
        "test_s": _median(b.test_s for b in builds),
        "node_span_s": _median(b.span_s for b in builds),
        "dbt_fixed_s": _median(b.dbt_fixed_s for b in builds),
        "dbt_parse_s": _median(r.parse.wall_s for r in repetitions),
        "floor_s": floor_s,
        "pandas_s": pandas_s,
        "peak_rss_mb": {
            "build": max(b.peak_rss_mb for b in builds),
            "floor": max(r.floor.peak_rss_mb for r in repetitions),
            "pandas": max(r.pandas.peak_rss_mb for r in repetitions),
        },
        "ratios": {
            "build_over_floor": model_s / floor_s if floor_s else None,
            "pandas_over_build": pandas_s / build_s if build_s else None,
        },
        "models_s": dict(sorted(models.items(), key=lambda item: -item[1])),
        "pandas_check": {
            "customers_compared": comparison.rows,
            "equal": comparison.equal,
            "columns": list(CORE_COLUMNS),
            "float_tolerance": FLOAT_TOLERANCE,
            "accepted_rows": "read from the built database: int_customers_validated and "
            "int_transactions_validated where rejection_reason is null, and int_as_of_date",
        },
        "load_average": {"before": load[0], "after": load[1]},
        "runs": [_repetition_record(r) for r in repetitions],
    }


def _repetition_record(repetition: Repetition) -> dict[str, float]:
    build = repetition.build
    return {
        "build_s": build.wall_s,
        "model_s": sum(build.model_s.values()),
        "test_s": build.test_s,
        "dbt_fixed_s": build.dbt_fixed_s,
        "dbt_parse_s": repetition.parse.wall_s,
        "floor_s": repetition.floor.seconds,
        "pandas_s": repetition.pandas.seconds,
        "build_peak_rss_mb": build.peak_rss_mb,
        "floor_peak_rss_mb": repetition.floor.peak_rss_mb,
        "pandas_peak_rss_mb": repetition.pandas.peak_rss_mb,
    }


@dataclass(frozen=True)
class BenchOptions:
    scales: list[Scale]
    repeat: int = DEFAULT_REPEAT
    seed: int = DEFAULT_SEED
    work_dir: Path | None = None
    project_dir: Path | None = None
    history: bool = True


def run_benchmark(
    options: BenchOptions,
    say: Callable[[str], None],
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Every scale in order; returns {machine, ..., records}.

    `on_record` gets the result so far after each scale: a long run that is stopped at 1m or
    10m keeps the scales it finished.
    """
    if options.repeat < 1:
        raise BenchError("--repeat must be at least 1")
    project_dir = options.project_dir or find_project_dir()
    work_dir = (options.work_dir or project_dir / "data" / "bench").resolve()
    machine = machine_info()
    say(f"machine: {describe_machine(machine)}; load average {load_average()}")
    result: dict[str, Any] = {
        "machine": machine,
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "build_command": "dbt " + " ".join(BUILD_COMMAND),
        "work_dir": str(work_dir),
        "records": [],
    }
    for scale in options.scales:
        paths = ScalePaths.of(project_dir, work_dir, scale, options.seed)
        record = run_scale(
            scale,
            paths,
            seed=options.seed,
            repeat=options.repeat,
            say=say,
            with_history=options.history,
        )
        result["records"].append(record)
        if on_record is not None:
            on_record(result)
    return result


# --- output -------------------------------------------------------------------------------------


def describe_machine(machine: dict[str, Any]) -> str:
    return (
        f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gb']} GiB; "
        f"Python {machine['python']}, DuckDB {machine['duckdb']}, dbt-core "
        f"{machine['dbt_core']}, dbt-duckdb {machine['dbt_duckdb']}, pandas {machine['pandas']}; "
        f"dbt threads {machine['dbt_threads']}, DuckDB memory_limit "
        f"{machine['duckdb_memory_limit']}"
    )


TABLE_COLUMNS = (
    ("scale", "scale", "{}"),
    ("raw rows", "raw_rows", "{:,}"),
    ("build s", "build_s", "{:.1f}"),
    ("models s", "model_s", "{:.1f}"),
    ("tests s", "test_s", "{:.1f}"),
    ("dbt fixed s", "dbt_fixed_s", "{:.1f}"),
    ("parse s", "dbt_parse_s", "{:.1f}"),
    ("floor s", "floor_s", "{:.2f}"),
    ("pandas s", "pandas_s", "{:.2f}"),
)


def format_table(result: dict[str, Any]) -> str:
    """The printed summary: one row per scale, then the slowest models and the machine."""
    header = [name for name, _, _ in TABLE_COLUMNS] + [
        "RSS MB build/floor/pandas",
        "models/floor",
        "pandas/build",
    ]
    rows = [header]
    for record in result["records"]:
        rss, ratios = record["peak_rss_mb"], record["ratios"]
        rows.append(
            [fmt.format(record[key]) for _, key, fmt in TABLE_COLUMNS]
            + [
                f"{rss['build']:.0f}/{rss['floor']:.0f}/{rss['pandas']:.0f}",
                f"{ratios['build_over_floor']:.1f}x",
                f"{ratios['pandas_over_build']:.2f}x",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    for record in result["records"]:
        top = list(record["models_s"].items())[:5]
        lines.append(
            f"slowest models at {record['scale']}: "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in top)
        )
    lines.append(
        f"medians of {result['records'][0]['repeat'] if result['records'] else 0} runs; "
        f"`{result['build_command']}`; machine: {describe_machine(result['machine'])}"
    )
    for record in result["records"]:
        if history := record.get("history"):
            ratios = history["ratios"]
            lines.append(
                f"history at {record['scale']}: snapshot SQL models "
                f"{history['snapshot_sql_model_s']:.1f} s; the history adds "
                f"{ratios['history_added_over_snapshot_models']:.2f}x of it, one month added "
                f"{ratios['month_added_over_snapshot_models']:.2f}x; "
                f"forecast fits {history['forecast_fit_s']:.1f} s "
                f"({ratios['forecast_fit_over_history_sql']:.2f}x the history's SQL models); "
                f"peak RSS {history['peak_rss_mb']['history']:.0f} MB"
            )
    loads = ", ".join(
        f"{r['scale']} {r['load_average']['before'][0]}->{r['load_average']['after'][0]}"
        for r in result["records"]
    )
    lines.append(f"load average (1 min) before->after each scale: {loads}")
    return "\n".join(lines)
