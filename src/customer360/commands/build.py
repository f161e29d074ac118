"""`c360 build`: run `dbt build` on the raw files, then publish the mart for readers.

Publishing policy: the mart is published only when `dbt build` exits 0, i.e. no model failed
and no test of severity error failed. Tests of severity warn (data-quality symptoms such as
rejected rows or a drifting metric) do not stop publishing: the mart is right for the data
accepted, and `c360 alerts` reports them. On any error, or a build killed mid-way, readers keep
the last published mart. A run that did not rebuild every required public mart (a
`--select`, or `--empty`) is not published either, and a public model the run did not rebuild
is left out, so the published tables always come from one build. Nor is a mart whose customer
count or total revenue_12m fell by more than var `publish_max_drop_pct` against the published
one (a broken feed, as volume-anomaly monitors judge it), unless `--accept-large-change`.
What is published: every model with `access: public` (at least the marts of SPEC section 4),
and the run's test results (customer360__test_results, customer360__test_failures).

Every outcome, failures included (the on-run-start hook, dbt, the guard, publishing), is
recorded in the target directory's c360_build.json, where `c360 alerts` reads it. When dbt
failed, the build ends by listing the failed models and error tests with their first failing
rows, as `c360 alerts` does. One build runs at a time per work database: a second one fails at
once, naming the first.

Exit status: dbt's own when it failed, 2 without a raw directory or with unusable arguments,
3 when the build passed but publishing failed, 4 when the guard refused to publish (in both
the previous published mart is still in place), 5 when another build is running, else 0.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from customer360 import alerts, publish
from customer360.dbt_artifacts import (
    RunResults,
    build_record_path,
    project_vars,
    public_model_names,
    read_manifest_nodes,
    read_run_results,
    target_dir,
    write_build_record,
)
from customer360.dbt_runner import run_dbt
from customer360.settings import Settings

EXIT_BAD_ARGUMENTS = 2
EXIT_PUBLISH_FAILED = 3
EXIT_LARGE_CHANGE = 4
EXIT_BUILD_RUNNING = 5
DEFAULT_MAX_DROP_PCT = 50.0
DEFAULT_TEST_FAILURES_MAX_ROWS = 100
# dbt's error headings, each alone on its line above the message, and the lines that say why
# a run stopped before any node ran (hook or compilation errors).
_ERROR_HEADINGS = ("Compilation Error", "Runtime Error", "Database Error")
_FAILURE_LINE = re.compile("|".join(("customer360: ", *_ERROR_HEADINGS)))
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


class UsageError(ValueError):
    """An argument of `c360 build` is unusable; the message is the one line to show."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="run dbt build (seeds, models, tests) and publish the mart",
        description=(
            "Run `dbt build` against the raw files in $C360_RAW_DIR, writing the work "
            "database $C360_DUCKDB_PATH, then publish the public marts atomically to "
            "$C360_PUBLISHED_PATH for BI readers (only when the build passed: warnings are "
            "published, errors are not). Extra arguments after `--` go to dbt unchanged."
        ),
    )
    parser.add_argument("--as-of-date", help="analysis date YYYY-MM-DD (default: from the data)")
    parser.add_argument("--vars", default=None, help="more dbt vars as a JSON/YAML mapping")
    parser.add_argument(
        "--no-publish",
        action="store_true",
        help="build the work database only; leave $C360_PUBLISHED_PATH as it is",
    )
    parser.add_argument(
        "--accept-large-change",
        action="store_true",
        help=(
            "publish even when customers or total revenue_12m fell by more than var "
            "publish_max_drop_pct against the published mart"
        ),
    )
    parser.add_argument("dbt_args", nargs=argparse.REMAINDER, help="passed on to dbt build")
    parser.set_defaults(func=run)


def dbt_vars_from(args: argparse.Namespace) -> dict:
    """--vars as dbt reads it (a YAML mapping, of which JSON is a special case)."""
    try:
        dbt_vars = yaml.safe_load(args.vars) if args.vars else {}
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0]
        raise UsageError(f"--vars is not a YAML or JSON mapping ({first}): {args.vars!r}") from None
    if dbt_vars is None:
        dbt_vars = {}
    if not isinstance(dbt_vars, dict):
        raise UsageError(
            f"--vars must be a mapping such as '{{as_of_date: 2025-06-30}}', got {args.vars!r}"
        )
    if args.as_of_date:
        dbt_vars["as_of_date"] = args.as_of_date
    # YAML reads 2025-06-30 as a date; dbt's vars are JSON on the command line.
    return json.loads(json.dumps(dbt_vars, default=str))


class Recorder:
    """Keeps c360_build.json up to date with what this build did."""

    def __init__(self, settings: Settings, dbt_vars: dict) -> None:
        self.path = build_record_path(settings)
        self.record: dict[str, Any] = {
            "state": "running",
            "pid": os.getpid(),
            "stage": "dbt",
            "vars": dbt_vars,
            "published": False,
            "published_path": str(settings.published_path),
        }
        write_build_record(self.path, self.record)

    def finish(self, exit_code: int, state: str, stage: str, message: str, **extra: Any) -> int:
        self.record.update(state=state, stage=stage, message=message, exit_code=exit_code, **extra)
        write_build_record(self.path, self.record)
        return exit_code


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        dbt_vars = dbt_vars_from(args)
    except UsageError as error:
        print(f"c360 build: {error}")
        return EXIT_BAD_ARGUMENTS
    if not settings.raw_dir.is_dir():
        problem = "is a file, not a directory" if settings.raw_dir.exists() else "does not exist"
        print(
            f"c360 build: raw directory {settings.raw_dir} {problem}; "
            "run `c360 generate` or set C360_RAW_DIR"
        )
        return EXIT_BAD_ARGUMENTS
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_build(settings) as holder:
        if holder is not None:
            print(
                f"c360 build: another build (pid {holder}) is running on {settings.duckdb_path}; "
                "wait for it to finish"
            )
            return EXIT_BUILD_RUNNING
        return _build(settings, args, dbt_vars)


@contextlib.contextmanager
def _exclusive_build(settings: Settings) -> Iterator[str | None]:
    """Hold the work database's build lock; yields the running build's pid when it is taken.

    An flock dies with its process, so a killed build never leaves a stale lock behind.
    """
    lock_path = settings.duckdb_path.with_name(settings.duckdb_path.name + ".build.lock")
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            yield lock.read().strip() or "unknown"
            return
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield None
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build(settings: Settings, args: argparse.Namespace, dbt_vars: dict) -> int:
    extra = [a for a in args.dbt_args if a != "--"]
    run_results_path = target_dir(settings) / "run_results.json"
    # A run that dies before writing results must not leave the previous run's results behind
    # for `c360 alerts` (or the publish check) to mistake for its own.
    run_results_path.unlink(missing_ok=True)
    recorder = Recorder(settings, dbt_vars)
    failure_lines: list[str] = []

    def keep_failure_line(line: str) -> None:
        plain = _ANSI_ESCAPE.sub("", line).rstrip()
        # an error heading alone on its line: its message is the next line, keep that too
        if _FAILURE_LINE.search(plain) or (
            failure_lines and failure_lines[-1].strip() in _ERROR_HEADINGS and plain.strip()
        ):
            failure_lines.append(plain)

    result = run_dbt(settings, ["build", *extra], dbt_vars, on_line=keep_failure_line)
    run_results = _read_results(run_results_path)
    if run_results is not None:
        recorder.record["invocation_id"] = run_results.invocation_id
        _record_test_results(settings, run_results, dbt_vars)
    if result.returncode != 0:
        stage = "dbt" if run_results is not None else "on-run-start"
        reason = _failure_summary(failure_lines, run_results)
        if run_results is not None:
            _print_errors(settings, run_results)
        print(
            f"c360 build: dbt build failed (exit {result.returncode}{reason}); not published: "
            f"readers keep {settings.published_path}. `c360 alerts` gives the whole digest."
        )
        return recorder.finish(result.returncode, "failed", stage, f"dbt build failed{reason}")
    if run_results is None:
        message = "dbt build exited 0 but wrote no run_results.json"
        print(f"c360 build: {message}; not published")
        return recorder.finish(EXIT_PUBLISH_FAILED, "failed", "dbt", message)
    if args.no_publish:
        return recorder.finish(0, "ok", "dbt", "built; not published (--no-publish)")
    return publish_run(settings, run_results, recorder, args.accept_large_change, dbt_vars)


def _print_errors(settings: Settings, run_results: RunResults) -> None:
    """What failed, as `c360 alerts` lists it: each failed model or error-severity test with
    its description and first failing rows (which name the table, column and value)."""
    try:
        report = alerts.build_report(
            run_results,
            manifest_path=target_dir(settings) / "manifest.json",
            work_database=settings.duckdb_path,
            published_database=settings.published_path,
        )
    except (OSError, ValueError) as error:  # the digest is a courtesy: never hide the failure
        print(f"c360 build: cannot list what failed ({error})")
        return
    errors = alerts.render_errors(report)
    if errors:
        print(f"c360 build: what failed\n\n{errors}\n")


def _read_results(path: Path) -> RunResults | None:
    try:
        return read_run_results(path)
    except (OSError, ValueError, KeyError):
        return None


def _failure_summary(lines: list[str], run_results: RunResults | None) -> str:
    """': <why>' when dbt stopped before running any node (a hook or compilation error, which
    dbt records nowhere else), else '' (the failing nodes are in run_results.json).

    dbt prints an error's message indented under its heading; log lines (info, warnings) carry
    a timestamp before the text, so only indented `customer360: ` lines are our errors.
    """
    if run_results is not None:
        return ""
    own = [
        line.strip()
        for line in lines
        if "customer360: " in line and not line[: line.index("customer360: ")].strip()
    ]
    if own:
        return ": " + own[-1]
    if not lines:
        return ""
    last = lines[-1].strip()
    if len(lines) > 1 and lines[-2].strip() in _ERROR_HEADINGS:
        # DuckDB's own message, which names the file it could not read
        last = f"{lines[-2].strip()}: {last}"
    return ": " + last


def _record_test_results(settings: Settings, run_results: RunResults, dbt_vars: dict) -> None:
    nodes = read_manifest_nodes(target_dir(settings) / "manifest.json")
    cap = _int_var(settings, dbt_vars, "test_failures_max_rows", DEFAULT_TEST_FAILURES_MAX_ROWS)
    try:
        publish.write_test_results(settings.duckdb_path, run_results, nodes, cap)
    except publish.duckdb.Error as error:
        print(f"c360 build: could not record test results in {settings.duckdb_path}: {error}")


def _int_var(settings: Settings, dbt_vars: dict, name: str, default: int) -> int:
    value = project_vars(settings, dbt_vars).get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        print(f"c360 build: var {name} must be a whole number >= 0, got {value!r}; using {default}")
        return default
    return value


def _max_drop_pct(settings: Settings, dbt_vars: dict) -> float | None:
    value = project_vars(settings, dbt_vars).get("publish_max_drop_pct", DEFAULT_MAX_DROP_PCT)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        return None
    return float(value)


def publish_run(
    settings: Settings,
    run_results: RunResults,
    recorder: Recorder,
    accept_large_change: bool = False,
    dbt_vars: dict | None = None,
) -> int:
    """Publish a passed run if it rebuilt every required mart and passes the guard."""
    reason = unpublishable_reason(run_results)
    if reason:
        print(f"c360 build: not published ({reason}); readers keep {settings.published_path}")
        return recorder.finish(0, "ok", "publish", f"not published: {reason}")
    if not accept_large_change:
        refused = _guard(settings, dbt_vars or {})
        if refused:
            print(
                f"c360 build: not published: {refused}; readers keep "
                f"{settings.published_path} (`c360 build --accept-large-change` publishes anyway)"
            )
            return recorder.finish(EXIT_LARGE_CHANGE, "failed", "publish guard", refused)
    manifest = read_manifest_nodes(target_dir(settings) / "manifest.json")
    rebuilt = rebuilt_models(run_results)
    try:
        publication = publish.publish(
            settings.duckdb_path,
            settings.published_path,
            tables=public_model_names(manifest) & rebuilt,
            invocation_id=run_results.invocation_id,
        )
    except (publish.PublishError, OSError) as error:
        print(f"c360 build: publishing failed: {error}; readers keep {settings.published_path}")
        message = f"publishing failed: {error}"
        return recorder.finish(EXIT_PUBLISH_FAILED, "failed", "publish", message)
    customers = publication.row_counts[publish.MART]
    message = (
        f"published {len(publication.tables)} tables to {publication.path} "
        f"(as_of_date {publication.as_of_date}, {customers:,} customers)"
    )
    print(f"c360 build: {message}{_warnings_note(run_results)}")
    return recorder.finish(0, "ok", "publish", message, published=True)


def _warnings_note(run_results: RunResults) -> str:
    """'; N tests warned (names): ...' for a published run with warnings, else ''."""
    warned = sorted(r.name for r in run_results.results if r.status == "warn")
    if not warned:
        return ""
    names = ", ".join(warned[:3]) + (f" and {len(warned) - 3} more" if len(warned) > 3 else "")
    tests = "1 test" if len(warned) == 1 else f"{len(warned)} tests"
    return f"; {tests} warned ({names}): `c360 alerts` lists the failing rows"


def _guard(settings: Settings, dbt_vars: dict) -> str | None:
    max_drop = _max_drop_pct(settings, dbt_vars)
    if max_drop is None:
        return "var publish_max_drop_pct must be a number in [0, 100]"
    new = publish.mart_figures(settings.duckdb_path)
    if new is None:
        return None  # publishing itself reports the missing mart
    return publish.large_change_reason(new, publish.mart_figures(settings.published_path), max_drop)


def unpublishable_reason(run_results: RunResults) -> str | None:
    """Why a passed run must not be published, or None when it may be."""
    if run_results.is_empty_run:
        return "an --empty run builds empty tables"
    rebuilt = rebuilt_models(run_results)
    stale = [name for name in publish.REQUIRED_TABLES if name not in rebuilt]
    if stale:
        return f"this run did not rebuild {', '.join(stale)}"
    return None


def rebuilt_models(run_results: RunResults) -> set[str]:
    return {
        r.name for r in run_results.results if r.resource_type == "model" and r.status == "success"
    }
