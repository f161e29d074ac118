"""`c360 alerts`: digests, JSON payloads, webhook delivery and exit statuses of real builds."""

from __future__ import annotations

import json
import socket
import statistics
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
from conftest import Workspace, assert_ok

from customer360.alerts import SAMPLE_ROWS

WEBHOOK_ENV = "C360_ALERTS_WEBHOOK_URL"
# Vars that make the demo's few bad rows a warning: any invalid row in any table.
STRICT_WARN_VARS = '{"rejected_pct_warn": 0, "rejected_min_rows": 1}'


class Webhook:
    """A real HTTP server on loopback that records the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:  # keep pytest output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/alerts"


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    hook.thread.start()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/alerts"


@pytest.fixture(scope="module")
def monitored(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """1,000 customers built once with strict rejected-row thresholds (so with a warning)."""
    ws = Workspace(tmp_path_factory.mktemp("alerts"))
    regenerate(ws, seed=11)
    built = ws.c360("build", "--vars", STRICT_WARN_VARS)
    assert_ok(built)
    # published, and the build's last line says which tests warned
    last = built.stdout.splitlines()[-1]
    assert last.startswith("c360 build: published ")
    assert "warned (" in last and "source_rejected_pct_within_warn_threshold" in last
    return ws


def regenerate(ws: Workspace, seed: int) -> None:
    """Another snapshot of the same business: new raw data with the same statistics."""
    assert_ok(ws.c360("generate", "--customers", "1000", "--seed", str(seed), "--quiet"))


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def assert_audit_holds_the_failing_tests_alone(ws: Workspace) -> None:
    """`c360 build` keeps a table of failing rows for each test that had any, and no other."""
    audit = query(
        ws.duckdb_path,
        "select 'audit.' || table_name from information_schema.tables where table_schema = 'audit'",
    )
    failing = query(
        ws.duckdb_path,
        "select failures_relation from customer360__test_results where failures > 0",
    )
    assert sorted(audit) == sorted(failing)


def published_invocation(ws: Workspace) -> str:
    return query(ws.published_path, "select invocation_id from customer360__publication")[0][0]


def test_no_results_to_judge_exits_2(workspace: Workspace) -> None:
    result = workspace.c360("alerts")
    assert result.returncode == 2
    assert "no results to judge" in result.stderr


def test_a_warning_is_published_digested_and_posted_to_the_webhook(
    monitored: Workspace, webhook: Webhook
) -> None:
    json_out = monitored.root / "alerts.json"
    result = monitored.c360("alerts", "--json-out", str(json_out), **{WEBHOOK_ENV: webhook.url})
    assert_ok(result)  # warnings alone do not page

    payload = json.loads(json_out.read_text())
    run_results = json.loads((monitored.target_dir / "run_results.json").read_text())
    expected_tables = {
        row[0]
        for row in query(
            monitored.duckdb_path,
            "select source_table from customer360__source_quality where rows_invalid >= 1",
        )
    }
    assert expected_tables  # the demo data always carries a few bad rows
    assert payload["status"] == "warn" and payload["page"] is False
    assert payload["run"]["invocation_id"] == run_results["metadata"]["invocation_id"]
    assert payload["publication"]["published_this_run"] is True
    assert published_invocation(monitored) == payload["run"]["invocation_id"]
    assert all(a["severity"] == "warn" for a in payload["alerts"])
    (alert,) = [
        a for a in payload["alerts"] if a["name"] == "source_rejected_pct_within_warn_threshold"
    ]
    assert alert["severity"] == "warn" and alert["model"] == "customer360__source_quality"
    assert alert["failures"] == len(expected_tables)
    sampled = {row["source_table"] for row in alert["sample_rows"]}
    assert sampled <= expected_tables and len(sampled) == min(len(expected_tables), SAMPLE_ROWS)
    assert alert["failures_relation"] == "audit.source_rejected_pct_within_warn_threshold"
    assert_audit_holds_the_failing_tests_alone(monitored)
    # BI finds the same failing rows, and every test's outcome, in the published database
    published_failures = query(
        monitored.published_path,
        "select failing_row->>'source_table' from customer360__test_failures "
        "where test_name = 'source_rejected_pct_within_warn_threshold'",
    )
    assert {row[0] for row in published_failures} == expected_tables
    (warned,) = query(
        monitored.published_path,
        "select status, failures, severity, model from customer360__test_results "
        "where test_name = 'source_rejected_pct_within_warn_threshold'",
    )
    assert warned == ("warn", len(expected_tables), "warn", "customer360__source_quality")

    assert webhook.bodies == [payload]
    assert result.stdout == payload["text"]
    assert result.stdout.startswith("# customer360 alerts: WARNING (0 errors, ")
    assert "; no page)" in result.stdout.splitlines()[0]
    assert "Published: yes" in result.stdout
    for table in sampled:
        assert f"| {table} |" in result.stdout


def test_fail_on_warn_pages_and_an_unreachable_webhook_is_reported(monitored: Workspace) -> None:
    assert monitored.c360("alerts", "--fail-on", "warn").returncode == 1
    unreachable = monitored.c360("alerts", **{WEBHOOK_ENV: closed_port_url()})
    assert unreachable.returncode == 3
    assert "not delivered" in unreachable.stderr


def scale_transaction_amounts(raw_dir: Path, factor: int) -> None:
    """A feed gone wrong: every amount multiplied (e.g. cents sent as units)."""
    source = raw_dir / "transactions.parquet"
    scaled = raw_dir / "transactions.scaled.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * replace (cast(amount * {factor} as decimal(18, 2)) as amount) "
            f"from read_parquet('{source}')) to '{scaled}' (format parquet)"
        )
    scaled.replace(source)


def expected_z_scores(work_database: Path, metrics: list[str]) -> dict[str, float]:
    """z of the latest build against the builds before it, computed here from the history."""
    columns = ", ".join(metrics)
    history = query(
        work_database,
        f"select {columns} from customer360__mart_metrics_history order by build_sequence",
    )
    *previous, latest = history
    z_scores = {}
    for index, metric in enumerate(metrics):
        values = [row[index] for row in previous]
        z_scores[metric] = (latest[index] - statistics.mean(values)) / statistics.stdev(values)
    return z_scores


def test_drift_warns_then_fails_the_build_beyond_the_allowed_number_of_metrics(
    monitored: Workspace,
) -> None:
    regenerate(monitored, seed=12)
    assert_ok(monitored.c360("build"))
    # the default thresholds pass: the strict build's failing rows are not left behind
    assert query(
        monitored.duckdb_path,
        "select status from customer360__test_results "
        "where test_name = 'source_rejected_pct_within_warn_threshold'",
    ) == [("pass",)]
    assert_audit_holds_the_failing_tests_alone(monitored)
    regenerate(monitored, seed=13)
    scale_transaction_amounts(monitored.raw_dir, 10)
    lenient = '{"drift_min_history": 2, "drift_max_warn_metrics": 6}'
    assert_ok(monitored.c360("build", "--vars", lenient))

    result = monitored.c360("alerts", "--format", "json")
    assert_ok(result)
    payload = json.loads(result.stdout)
    drift = {row["metric_name"]: row for row in payload["drift"]}
    expected = expected_z_scores(monitored.duckdb_path, sorted(drift))
    for metric, row in drift.items():
        assert row["history_builds"] == 2
        assert row["z_score"] == pytest.approx(expected[metric], rel=1e-9)
        assert row["is_drifting"] == (abs(expected[metric]) > 3.0)
    assert drift["mean_estimated_customer_ltv"]["is_drifting"]
    drifting = sorted(m for m, row in drift.items() if row["is_drifting"])
    (alert,) = [a for a in payload["alerts"] if a["name"] == "mart_metrics_within_drift_threshold"]
    assert alert["severity"] == "warn"
    assert sorted(row["metric_name"] for row in alert["sample_rows"]) == drifting
    assert payload["publication"]["published_this_run"] is True
    published_before = published_invocation(monitored)

    strict = '{"drift_min_history": 2, "drift_max_warn_metrics": 0}'
    failed = monitored.c360("build", "--vars", strict)
    assert failed.returncode == 1
    assert "not published" in failed.stdout
    # the build's own output lists what failed, with the failing rows
    what_failed = failed.stdout[failed.stdout.index("c360 build: what failed") :]
    assert "**mart_metrics_within_drift_threshold**" in what_failed
    assert "| mean_estimated_customer_ltv |" in what_failed
    assert published_invocation(monitored) == published_before

    paged = monitored.c360("alerts")
    assert paged.returncode == 1
    assert paged.stdout.startswith("# customer360 alerts: ERROR")
    assert f"readers of {monitored.published_path} keep build `{published_before}`" in paged.stdout
    assert "**mart_metrics_within_drift_threshold**" in paged.stdout
    assert "| mean_estimated_customer_ltv |" in paged.stdout
