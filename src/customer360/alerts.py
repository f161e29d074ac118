"""Data-quality alerts from a dbt build, for people and for schedulers.

`build_report` reads the run's run_results.json and manifest.json, and the record `c360 build`
keeps of its own stages (c360_build.json: a failed on-run-start hook, which leaves no
run_results.json, a refusal by the publish guard, a failed publish), quotes the failing rows of
each test (customer360__test_failures, written by `c360 build` into the work database and
published with the mart), adds the drift of the headline metrics
(customer360__mart_metrics_drift) and whether the run reached the published database.
Text that comes from the data (failing rows, messages) is escaped in the digest, so a value
such as `"><img src=x onerror=...>` reaches a chat tool or a browser as text, never as markup.
`render_markdown` makes the digest a person reads; `to_payload` the JSON a machine routes (its
`text` field holds the digest, so a Slack-style incoming webhook shows it as is);
`post_webhook` delivers it. `AlertReport.exit_code` tells a scheduler whether to page.
"""

from __future__ import annotations

import html
import json
import os
import re
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from customer360 import published
from customer360.dbt_artifacts import (
    NodeResult,
    RunResults,
    failures_relation,
    read_manifest_nodes,
)
from customer360.publish import TEST_FAILURES_TABLE

# Exit statuses of `c360 alerts`: anything but EXIT_OK should reach a person.
EXIT_OK = 0
EXIT_PAGE = 1
EXIT_NO_RESULTS = 2
EXIT_DELIVERY_FAILED = 3

PAYLOAD_SCHEMA_VERSION = 1
DRIFT_MODEL = "customer360__mart_metrics_drift"
# Failing rows quoted per alert, and columns shown per row in the digest (the JSON has all).
SAMPLE_ROWS = 5
DIGEST_COLUMNS = 6

# dbt colours some messages (unit test diffs); the digest and the payload are plain text.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# Longest message quoted in the digest (the JSON payload keeps it whole).
DIGEST_MESSAGE_CHARS = 400

# dbt status -> alert severity; statuses not listed (pass, success, skipped ...) raise none.
_SEVERITY_BY_STATUS = {"fail": "error", "error": "error", "runtime error": "error", "warn": "warn"}


@dataclass(frozen=True)
class Alert:
    """One node of the run that failed or warned, with what is known about why."""

    severity: str
    resource_type: str
    name: str
    unique_id: str
    status: str
    message: str
    failures: int | None = None
    model: str | None = None
    column: str | None = None
    description: str | None = None
    failures_relation: str | None = None
    sample_rows: tuple[dict[str, Any], ...] = ()
    sample_columns: tuple[str, ...] = ()
    # Columns the test's YAML asks the digest to show (config: {meta: {alert_columns: [...]}}).
    alert_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class DriftMetric:
    """One headline metric of the latest build against its recent history."""

    metric_name: str
    current_value: float | None
    history_mean: float | None
    history_stddev: float | None
    history_builds: int
    z_score: float | None
    z_threshold: float
    is_drifting: bool


@dataclass(frozen=True)
class PublishedState:
    """Which build the published database serves, as its publication table says."""

    path: Path
    invocation_id: str | None = None
    as_of_date: str | None = None

    @property
    def exists(self) -> bool:
        return self.invocation_id is not None


@dataclass(frozen=True)
class AlertReport:
    """Everything the digest, the payload and the exit status are made from."""

    run: RunResults
    alerts: tuple[Alert, ...]
    status_counts: dict[str, int]
    published: PublishedState
    drift: tuple[DriftMetric, ...] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.severity == "error")

    @property
    def warnings(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.severity == "warn")

    @property
    def status(self) -> str:
        return "error" if self.errors else "warn" if self.warnings else "ok"

    @property
    def is_published(self) -> bool:
        return self.published.invocation_id == self.run.invocation_id

    def should_page(self, fail_on: str = "error") -> bool:
        return bool(self.errors) or (fail_on == "warn" and bool(self.warnings))

    def exit_code(self, fail_on: str = "error") -> int:
        return EXIT_PAGE if self.should_page(fail_on) else EXIT_OK


def build_report(
    run: RunResults | None,
    manifest_path: Path,
    work_database: Path,
    published_database: Path,
    build_record: dict[str, Any] | None = None,
) -> AlertReport:
    """Alerts of one run, with stored failing rows and drift read from the work database.

    `run` is None when the build left no run_results.json (its on-run-start hook failed, or it
    was killed): the alerts then come from `build_record` alone.
    """
    record = _record_of(run, build_record)
    if run is None:
        run = _run_from_record(record or {})
    nodes = read_manifest_nodes(manifest_path) if run.results else {}
    results = {result.unique_id: result for result in run.results}
    alerts = [_alert(result, nodes.get(result.unique_id, {})) for result in run.results]
    alerts = [a for a in alerts if a is not None]
    build_alert = _build_alert(record)
    notes: list[str] = []
    drift = None
    if run.results:
        try:
            with duckdb.connect(str(work_database), read_only=True) as connection:
                alerts = [_with_samples(connection, a, results[a.unique_id]) for a in alerts]
                drift = _drift(connection, run)
        except duckdb.Error as error:
            notes.append(
                f"failing rows and drift unavailable: cannot read {work_database} ({error})"
            )
    if build_alert is not None:
        alerts.append(build_alert)
    alerts.sort(key=lambda a: (a.severity != "error", a.resource_type != "model", a.name))
    return AlertReport(
        run=run,
        alerts=tuple(alerts),
        status_counts=dict(Counter(result.status for result in run.results)),
        published=read_published_state(published_database),
        drift=drift,
        notes=tuple(notes),
    )


def _record_of(run: RunResults | None, record: dict[str, Any] | None) -> dict[str, Any] | None:
    """The build record when it describes `run` (a plain `dbt build` since would not)."""
    if record is None:
        return None
    if run is None or record.get("invocation_id") in (None, run.invocation_id):
        return record
    return None


def _run_from_record(record: dict[str, Any]) -> RunResults:
    """A run with no node results, for a build that died before dbt wrote any."""
    return RunResults(
        invocation_id=record.get("invocation_id") or "none",
        generated_at="?",
        dbt_version="?",
        elapsed_seconds=0.0,
        command="build",
        cli_vars=record.get("vars") or {},
        is_empty_run=False,
        results=(),
    )


def _build_alert(record: dict[str, Any] | None) -> Alert | None:
    """An error for a stage of `c360 build` that failed outside dbt's nodes, or was killed."""
    if record is None:
        return None
    state = record.get("state")
    if state == "running":
        pid = record.get("pid")
        if isinstance(pid, int) and _process_alive(pid):
            return None
        message = f"c360 build (pid {pid}) ended without finishing: killed or crashed"
        stage = record.get("stage") or "dbt"
    elif state == "failed":
        message = record.get("message") or "c360 build failed"
        stage = record.get("stage") or "build"
    else:
        return None
    if stage == "dbt" and state == "failed":
        return None  # dbt's failing nodes are alerts of their own
    return Alert(
        severity="error",
        resource_type="build",
        name=f"c360 build: {stage}",
        unique_id=f"build.{stage}",
        status="error",
        message=_ANSI_ESCAPE.sub("", " ".join(str(message).split())),
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _alert(result: NodeResult, node: dict[str, Any]) -> Alert | None:
    severity = _SEVERITY_BY_STATUS.get(result.status)
    if severity is None:
        return None
    attached = (node.get("attached_node") or "").rsplit(".", 1)[-1]
    return Alert(
        severity=severity,
        resource_type=result.resource_type,
        name=result.name,
        unique_id=result.unique_id,
        status=result.status,
        message=_ANSI_ESCAPE.sub("", " ".join((result.message or result.status).split())),
        failures=result.failures,
        model=attached or result.unit_tested_model,
        column=node.get("column_name"),
        description=" ".join((node.get("description") or "").split()) or None,
        alert_columns=tuple(node.get("config", {}).get("meta", {}).get("alert_columns", ())),
        failures_relation=failures_relation(result, node),
    )


def _with_samples(connection: duckdb.DuckDBPyConnection, alert: Alert, result: NodeResult) -> Alert:
    """The first failing rows, from the test failures table `c360 build` wrote for this run."""
    if alert.failures_relation is None:
        return alert
    try:
        found = connection.execute(
            f"select cast(failing_row as varchar) from main.{TEST_FAILURES_TABLE} "
            "where test_unique_id = ? order by row_number limit ?",
            [alert.unique_id, SAMPLE_ROWS],
        ).fetchall()
    except duckdb.Error:
        return alert
    rows = tuple(json.loads(row[0]) for row in found)
    if not rows:
        return alert
    columns = list(rows[0])
    columns_shown = tuple(c for c in alert.alert_columns if c in columns) or _telling_columns(
        columns, result.compiled_code
    )
    return replace(alert, sample_rows=rows, sample_columns=columns_shown)


def _telling_columns(columns: list[str], compiled_code: str | None) -> tuple[str, ...]:
    """The columns worth showing: the first (usually the key) and those the test's SQL uses."""
    used = [
        c for c in columns[1:] if compiled_code and re.search(rf"\b{re.escape(c)}\b", compiled_code)
    ]
    chosen = columns[:1] + (used or columns[1:])
    return tuple(chosen[:DIGEST_COLUMNS])


def _drift(
    connection: duckdb.DuckDBPyConnection, run: RunResults
) -> tuple[DriftMetric, ...] | None:
    """The drift table, only when this run rebuilt it (else it describes an older build)."""
    built = run.by_name(DRIFT_MODEL)
    if built is None or built.status != "success":
        return None
    rows = connection.execute(
        "select metric_name, current_value, history_mean, history_stddev, history_builds, "
        f"z_score, z_threshold, is_drifting from main.{DRIFT_MODEL} order by metric_name"
    ).fetchall()
    return tuple(DriftMetric(*row) for row in rows)


def read_published_state(path: Path) -> PublishedState:
    """What the published database serves; empty when there is none (or it is unreadable)."""
    try:
        with published.connect(path) as connection:
            row = published.publication(connection)
    except (published.PublishedDatabaseError, duckdb.Error):
        return PublishedState(path)
    if row is None:
        return PublishedState(path)
    return PublishedState(path, invocation_id=row.invocation_id, as_of_date=row.as_of_date)


def render_markdown(report: AlertReport, fail_on: str = "error") -> str:
    """The digest: a headline, the run, the publication, then errors, warnings and drift."""
    lines = [_headline(report, fail_on), "", _run_line(report), _publication_line(report)]
    lines += [f"Note: {note}" for note in report.notes]
    for title, alerts in (("Errors", report.errors), ("Warnings", report.warnings)):
        if alerts:
            lines += ["", f"## {title} ({len(alerts)})", ""]
            for alert in alerts:
                lines += _alert_lines(alert)
    if report.drift:
        lines += ["", "## Drift of the headline metrics", "", *_drift_lines(report.drift)]
    return _without_runs_of_blank_lines("\n".join(lines)) + "\n"


def render_errors(report: AlertReport) -> str:
    """The digest's errors alone, each with its first failing rows ('' when none): what
    `c360 build` prints when dbt failed, so the build's own output says what broke."""
    lines: list[str] = []
    for alert in report.errors:
        lines += _alert_lines(alert)
    return _without_runs_of_blank_lines("\n".join(lines)).lstrip("\n")


def _without_runs_of_blank_lines(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n")


def _headline(report: AlertReport, fail_on: str) -> str:
    verdict = {"error": "ERROR", "warn": "WARNING", "ok": "OK"}[report.status]
    action = "page" if report.should_page(fail_on) else "no page"
    counts = f"{_plural(len(report.errors), 'error')}, {_plural(len(report.warnings), 'warning')}"
    return f"# customer360 alerts: {verdict} ({counts}; {action})"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _run_line(report: AlertReport) -> str:
    run = report.run
    counts = ", ".join(f"{n} {status}" for status, n in sorted(report.status_counts.items()))
    return (
        f"dbt {run.command or 'run'} `{run.invocation_id}` (dbt {run.dbt_version}), finished "
        f"{run.generated_at} after {run.elapsed_seconds:.1f} s: {counts}."
    )


def _publication_line(report: AlertReport) -> str:
    state = report.published
    if report.is_published:
        return (
            f"Published: yes, readers of {state.path} see this build "
            f"(as_of_date {state.as_of_date})."
        )
    if not state.exists:
        return f"Published: no, and there is no published mart at {state.path} yet."
    return (
        f"Published: no, readers of {state.path} keep build `{state.invocation_id}` "
        f"(as_of_date {state.as_of_date})."
    )


def _alert_lines(alert: Alert) -> list[str]:
    where = f" on `{alert.model}`" if alert.model else ""
    where += f", column `{alert.column}`" if alert.column else ""
    message = alert.message
    if len(message) > DIGEST_MESSAGE_CHARS:
        message = message[:DIGEST_MESSAGE_CHARS].rstrip() + " [...]"
    lines = [f"- **{alert.name}** ({alert.resource_type}{where}): {escape_text(message)}"]
    if alert.description:
        lines.append(f"  {alert.description}")
    if alert.failures_relation:
        shown = min(len(alert.sample_rows), alert.failures or 0)
        lines.append(
            f"  Failing rows are in `{TEST_FAILURES_TABLE}` (test `{alert.name}`; first "
            f"{shown} of {alert.failures}; all of them in `{alert.failures_relation}` of the "
            "work database):"
        )
        lines += ["", *_table_lines(alert.sample_columns, alert.sample_rows, indent="  "), ""]
    return lines


def _table_lines(
    columns: tuple[str, ...], rows: tuple[dict[str, Any], ...], indent: str = ""
) -> list[str]:
    if not columns or not rows:
        return []
    lines = [
        indent + "| " + " | ".join(columns) + " |",
        indent + "|" + "---|" * len(columns),
    ]
    for row in rows:
        lines.append(indent + "| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    return lines


def _drift_lines(drift: tuple[DriftMetric, ...]) -> list[str]:
    threshold = drift[0].z_threshold
    lines = [
        f"Latest build against the previous builds with the same vars; |z| > {threshold:g} "
        "is drift.",
        "",
        "| metric | current | history mean | history stddev | builds | z | drift |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in drift:
        flag = "DRIFT" if m.is_drifting else ""
        lines.append(
            f"| {m.metric_name} | {_cell(m.current_value)} | {_cell(m.history_mean)} | "
            f"{_cell(m.history_stddev)} | {m.history_builds} | {_cell(m.z_score, 2)} | {flag} |"
        )
    return lines


def _cell(value: Any, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        # large figures (money, z-scores of a broken feed) read better whole than in e-notation
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.{digits}g}"
    return escape_text(str(value))


# Characters that make Markdown (emphasis, code, links, tables) of plain text mid-line;
# `_` is left alone so identifiers stay readable (it emphasises only at word edges).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]|~])")


def escape_text(text: str) -> str:
    """Text from the data as inert Markdown: HTML entities for <, > and &, specials escaped."""
    one_line = " ".join(text.split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))


def to_payload(report: AlertReport, fail_on: str = "error") -> dict[str, Any]:
    """The JSON payload: stable keys for machines, `text` (the digest) for chat tools."""
    run = report.run
    return {
        "schema_version": PAYLOAD_SCHEMA_VERSION,
        "project": "customer360",
        "status": report.status,
        "page": report.should_page(fail_on),
        "exit_code": report.exit_code(fail_on),
        "run": {
            "invocation_id": run.invocation_id,
            "command": run.command,
            "generated_at": run.generated_at,
            "dbt_version": run.dbt_version,
            "elapsed_seconds": run.elapsed_seconds,
            "vars": run.cli_vars,
            "status_counts": report.status_counts,
        },
        "publication": {
            "path": str(report.published.path),
            "published_this_run": report.is_published,
            "served_invocation_id": report.published.invocation_id,
            "served_as_of_date": report.published.as_of_date,
        },
        "alerts": [_alert_payload(a) for a in report.alerts],
        "drift": None if report.drift is None else [vars(m) for m in report.drift],
        "notes": list(report.notes),
        "text": render_markdown(report, fail_on),
    }


def _alert_payload(alert: Alert) -> dict[str, Any]:
    payload = vars(alert).copy()
    payload["sample_rows"] = list(alert.sample_rows)
    payload["sample_columns"] = list(alert.sample_columns)
    return payload


def post_webhook(url: str, payload: dict[str, Any], timeout_seconds: float = 10.0) -> int:
    """POST the payload as JSON; returns the HTTP status, raises OSError when not delivered."""
    if not url.startswith(("http://", "https://")):
        raise OSError(f"webhook URL must be http(s), got {url!r}")
    request = urllib.request.Request(
        url,
        data=payload_json(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "customer360-alerts"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        raise OSError(f"webhook answered HTTP {error.code}") from error


def payload_json(payload: dict[str, Any], indent: int | None = None) -> str:
    """The payload as JSON with <, > and & written as \\u escapes (as Go's encoder does), so
    a receiver that pastes a field into HTML cannot be handed markup from the data."""
    text = json.dumps(payload, default=str, indent=indent)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _plain(value: Any) -> Any:
    """A JSON-friendly version of a DuckDB value."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
