"""How one piece of the benchmark is measured, each in its own subprocess.

A subprocess's wall time and its own peak RSS (through a tiny launcher); a `dbt build` or
`dbt parse` run in one scale's directories, with the execution time of each node and the span
from the first node's start to the last node's end read from run_results.json; and a floor or
pandas child, which times its own work and reports the seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from customer360.dbt_runner import dbt_command
from customer360.settings import STORE_TEST_FAILURES_AS

if TYPE_CHECKING:
    from customer360.bench.run import Scale

# dbt threads for the timed build unless C360_THREADS says otherwise. With one, model times do
# not overlap, so their sum is the time spent in models. Two threads (the profile's default)
# finish no sooner, as DuckDB already spreads each query over every core, and they inflate each
# model's time (1M customers: build 50.0 s against 49.4 s, model times 61 s against 33 s).
BENCH_DBT_THREADS = "1"
BUILD_COMMAND = ("build", "--exclude-resource-type", "unit_test")
# What the repetitions build: the snapshot mart alone (SPEC 7: history_months 0), the build
# issue 15's targets are set for. The history's cost is measured once, after them.
SNAPSHOT_VARS: dict[str, Any] = {"history_months": 0}


class BenchError(RuntimeError):
    """A benchmark step failed (dbt, a subprocess, bad options)."""


def bench_dbt_threads() -> str:
    return os.environ.get("C360_THREADS", BENCH_DBT_THREADS)


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


# --- where one scale's pieces run ---------------------------------------------------------------


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
            # the dbt build measured is the one `c360 build` runs
            **STORE_TEST_FAILURES_AS,
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


def _vars_args(variables: dict[str, Any] | None) -> list[str]:
    return ["--vars", json.dumps(variables, sort_keys=True)] if variables else []


def warm_parse(paths: ScalePaths, variables: dict[str, Any] | None = None) -> None:
    """Parse once, untimed, so every timed build and parse starts from a warm partial parse
    (with the vars they pass: dbt parses in full when the vars change)."""
    log = paths.logs_dir / "bench-warm-parse.log"
    _checked(_run_dbt(paths, ["parse", *_vars_args(variables)], log), "dbt parse", log)


def _run_dbt(paths: ScalePaths, args: list[str], log: Path) -> Measured:
    return measure([*dbt_command(), *args], env=paths.dbt_env(), cwd=paths.project_dir, log=log)


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
    args = [*BUILD_COMMAND, *_vars_args(variables)]
    measured = _checked(_run_dbt(paths, args, log), "dbt build", log)
    return build_run_from(measured, json.loads(run_results.read_text()))


def time_parse(
    paths: ScalePaths, repetition: int, variables: dict[str, Any] | None = None
) -> Measured:
    log = paths.logs_dir / f"bench-parse-{repetition}.log"
    return _checked(_run_dbt(paths, ["parse", *_vars_args(variables)], log), "dbt parse", log)


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
