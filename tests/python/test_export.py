"""`c360 export`: audience files and HTTP push against a real server on 127.0.0.1.

The receiver below fails requests on purpose (429, 503, a response slower than the client's
timeout, a 400) and stores rows by idempotency key, as a CRM that dedups would.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import PROJECT_DIR, Workspace, assert_ok

ENGAGEMENT_COLUMNS = [
    "idempotency_key",
    "as_of_date",
    "customer_id",
    "customer_name",
    "account_owner_id",
    "customer_segment",
    "customer_tier",
    "recommended_engagement_model",
    "lifecycle_stage",
    "churn_risk_tier",
    "customer_health_score",
    "churn_probability",
    "expected_annual_revenue",
    "risk_adjusted_value",
]
SECRETS = ("s3cr3t-password", "PATHTOKEN42", "QUERYTOKEN99")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A real demo build of 1,500 customers, published."""
    ws = Workspace(tmp_path_factory.mktemp("export"))
    assert_ok(ws.c360("generate", "--customers", "1500", "--quiet"))
    assert_ok(ws.c360("build"))
    return ws


def published_rows(ws: Workspace, sql: str) -> list[tuple]:
    with duckdb.connect(str(ws.published_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def engagement_keys(ws: Workspace) -> dict[str, str]:
    """customer_id -> the key the README documents, computed here independently."""
    rows = published_rows(
        ws,
        "select customer_id, recommended_engagement_model, cast(as_of_date as varchar) "
        "from customer360__customer_value_analysis",
    )
    return {
        row[0]: hashlib.sha256("\x1f".join(["engagement-model", *row]).encode()).hexdigest()
        for row in rows
    }


# --- a receiver that misbehaves on purpose --------------------------------------------------


class Receiver:
    """An HTTP server in a thread; `script` says how to answer the first requests."""

    def __init__(self, script: list[object] | None = None, delay: float = 0.0) -> None:
        self.script = list(script or [])
        self.delay = delay
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.accepted: list[str] = []  # row keys, once per accepted delivery
        self.store: dict[str, dict] = {}  # row key -> row, deduplicated
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                payload = json.loads(body)
                with receiver.lock:
                    action = receiver.script.pop(0) if receiver.script else 200
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "action": action}
                    )
                if receiver.delay:
                    time.sleep(receiver.delay)
                if action == "timeout":
                    # Processed, but answered after the client gave up: the retry repeats it.
                    receiver.take(payload["rows"])
                    time.sleep(1.5)
                    status = 200
                elif action == 200:
                    receiver.take(payload["rows"])
                    status = 200
                else:
                    status = int(action)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    if status == 429:
                        self.send_header("Retry-After", "0")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def take(self, rows: list[dict]) -> None:
        with self.lock:
            for row in rows:
                self.accepted.append(row["idempotency_key"])
                self.store[row["idempotency_key"]] = row

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def url_with_secrets(self) -> str:
        host = self.base_url.removeprefix("http://")
        return f"http://crm:{SECRETS[0]}@{host}/hooks/{SECRETS[1]}?token={SECRETS[2]}"


@pytest.fixture
def receiver_factory() -> Iterator:
    started: list[Receiver] = []

    def start(script: list[object] | None = None, delay: float = 0.0) -> Receiver:
        receiver = Receiver(script, delay)
        receiver.thread.start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.server.shutdown()
        receiver.server.server_close()


def push(ws: Workspace, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return ws.c360(
        "export",
        "--audience",
        "engagement-model",
        "--url",
        url,
        "--timeout",
        "0.5",
        "--backoff-seconds",
        "0.01",
        *args,
    )


def assert_no_secret(result: subprocess.CompletedProcess[str]) -> None:
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr


# --- push mode ------------------------------------------------------------------------------


def test_push_retries_429_5xx_and_timeouts_and_every_row_arrives_once_by_key(
    published: Workspace, receiver_factory
) -> None:
    receiver = receiver_factory([429, 503, "timeout"])
    result = push(published, receiver.url_with_secrets(), "--batch-size", "400")
    assert_ok(result)
    expected = engagement_keys(published)
    assert set(receiver.store) == set(expected.values())
    # Only the batch that timed out after being processed arrived twice; the store has it once.
    counts = Counter(receiver.accepted)
    assert sum(1 for count in counts.values() if count == 2) == 400
    assert max(counts.values()) == 2
    assert [r["action"] for r in receiver.requests[:4]] == [429, 503, "timeout", 200]
    assert f"delivered {len(expected):,} of {len(expected):,} rows" in result.stdout
    assert "(3 retries)" in result.stdout
    assert receiver.base_url in result.stdout
    assert_no_secret(result)
    # The secrets still reach the receiver: userinfo as Basic auth, path and query as given.
    first = receiver.requests[0]
    assert first["path"] == f"/hooks/{SECRETS[1]}?token={SECRETS[2]}"
    credentials = base64.b64encode(f"crm:{SECRETS[0]}".encode()).decode()
    assert first["headers"]["Authorization"] == f"Basic {credentials}"
    row = receiver.store[expected["C00000001"]]
    assert list(row) == ENGAGEMENT_COLUMNS


def test_a_second_run_sends_the_same_keys_in_the_same_batches(
    published: Workspace, receiver_factory
) -> None:
    first, second = receiver_factory(), receiver_factory()
    assert_ok(push(published, first.base_url, "--batch-size", "250"))
    assert_ok(push(published, second.base_url, "--batch-size", "250"))
    assert first.accepted == second.accepted
    assert len(first.accepted) == len(set(first.accepted)) == len(engagement_keys(published))
    batch_keys = [[r["headers"]["Idempotency-Key"] for r in rx.requests] for rx in (first, second)]
    assert batch_keys[0] == batch_keys[1]
    assert len(set(batch_keys[0])) == len(batch_keys[0]) == 6


def test_a_4xx_other_than_429_stops_without_retry_and_reports_what_was_delivered(
    published: Workspace, receiver_factory
) -> None:
    receiver = receiver_factory([200, 400])
    result = push(published, receiver.url_with_secrets(), "--batch-size", "300")
    assert result.returncode == 1
    total = len(engagement_keys(published))
    assert len(receiver.requests) == 2
    assert len(receiver.store) == 300
    assert f"delivered 300 of {total:,} rows in 1 of 5 batches" in result.stderr
    assert f"undelivered: {total - 300:,} rows; batch 2 of 5: HTTP 400 Bad Request" in result.stderr
    assert "Traceback" not in result.stderr
    assert_no_secret(result)


def test_retries_are_bounded(published: Workspace, receiver_factory) -> None:
    receiver = receiver_factory([503] * 10)
    result = push(published, receiver.base_url, "--batch-size", "1000", "--max-attempts", "3")
    assert result.returncode == 1
    assert len(receiver.requests) == 3
    assert "HTTP 503 Service Unavailable after 3 attempts" in result.stderr
    assert "delivered 0 of" in result.stderr


def test_an_unreachable_receiver_is_retried_then_reported(published: Workspace) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as probe:
        port = probe.server_port  # closed when the block ends: nothing listens there
    result = push(published, f"http://127.0.0.1:{port}/x?token={SECRETS[2]}", "--max-attempts", "2")
    assert result.returncode == 1
    assert "connection refused after 2 attempts" in result.stderr
    assert_no_secret(result)


def test_a_killed_run_can_be_run_again_and_every_row_arrives_exactly_once_by_key(
    published: Workspace, receiver_factory
) -> None:
    receiver = receiver_factory(delay=0.05)
    command = [
        sys.executable,
        "-m",
        "customer360.cli",
        "export",
        "--audience",
        "engagement-model",
        "--url",
        receiver.base_url,
        "--batch-size",
        "25",
    ]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=published.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while len(receiver.requests) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.kill()
    process.communicate()
    expected = set(engagement_keys(published).values())
    partial = set(receiver.store)
    assert 0 < len(partial) < len(expected), "the run was not killed mid-way"
    assert_ok(push(published, receiver.base_url, "--batch-size", "25"))
    assert set(receiver.store) == expected
    # The re-run resent the first batches: they arrived twice, the store holds them once.
    assert len(receiver.accepted) > len(expected)


# --- files ----------------------------------------------------------------------------------


def export_files(ws: Workspace, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return ws.c360("export", "--audience", "engagement-model", "--out", str(out), *args)


def test_csv_parquet_and_jsonl_hold_the_published_rows_with_the_documented_columns(
    published: Workspace, tmp_path: Path
) -> None:
    expected = engagement_keys(published)
    for file_format in ("csv", "parquet", "jsonl"):
        result = export_files(published, tmp_path, "--format", file_format)
        assert_ok(result)
        path = tmp_path / f"engagement-model.{file_format}"
        assert f"wrote {len(expected):,} rows to {path}" in result.stdout
        assert f"{len(expected):,} engagement-model rows in 1 file" in result.stdout
        if file_format == "csv":
            with path.open() as handle:
                rows = list(csv.DictReader(handle))
            columns = list(rows[0])
        elif file_format == "parquet":
            table = pq.read_table(path)
            rows, columns = table.to_pylist(), table.column_names
        else:
            rows = [json.loads(line) for line in path.read_text().splitlines()]
            columns = list(rows[0])
        assert columns == ENGAGEMENT_COLUMNS
        assert {row["customer_id"]: row["idempotency_key"] for row in rows} == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "engagement-model.csv",
        "engagement-model.jsonl",
        "engagement-model.parquet",
    ]


def test_per_owner_files_partition_the_filtered_audience(
    published: Workspace, tmp_path: Path
) -> None:
    result = export_files(published, tmp_path, "--per-owner", "--segment", "SMB")
    assert_ok(result)
    by_owner = dict(
        published_rows(
            published,
            "select coalesce(account_owner_id, 'unassigned'), count(*) "
            "from customer360__customer_value_analysis where customer_segment = 'SMB' group by 1",
        )
    )
    files = sorted(tmp_path.glob("engagement-model__*.csv"))
    assert len(files) == len(by_owner) > 1
    for path in files:
        owner = path.stem.removeprefix("engagement-model__")
        with path.open() as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == by_owner[owner]
        assert {row["customer_segment"] for row in rows} == {"SMB"}
        assert {row["account_owner_id"] or "unassigned" for row in rows} == {owner}
        assert f"wrote {len(rows):,} rows to {path}" in result.stdout
    total = sum(by_owner.values())
    assert f"{total:,} engagement-model rows in {len(files)} files" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audience", "churners"], "unknown audience 'churners'; expected one of watchlist"),
        (["--audience", "engagement-model", "--format", "xlsx"], "unknown format 'xlsx'"),
        (["--audience", "engagement-model", "--owner", "AO999999"], "unknown owner 'AO999999'"),
        (["--audience", "engagement-model", "--segment", "Gold"], "unknown segment 'Gold'"),
        (["--audience", "engagement-model", "--route", "human"], "--route is not a filter"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(
    published: Workspace, tmp_path: Path, args: list[str], message: str
) -> None:
    result = published.c360("export", "--out", str(tmp_path / "out"), *args)
    assert result.returncode == 2
    assert result.stderr.startswith(f"c360 export: {message}")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_an_unwritable_output_directory_is_one_line(published: Workspace, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = export_files(published, blocker / "out")
    assert result.returncode == 2
    assert result.stderr == (
        f"c360 export: output directory {blocker / 'out'} cannot be created: Not a directory\n"
    )


def test_a_missing_or_older_published_database_is_one_line(
    published: Workspace, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.duckdb"
    result = published.c360(
        "export", "--audience", "engagement-model", C360_PUBLISHED_PATH=str(missing)
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"c360 export: published database {missing} does not exist; run `c360 build` to "
        "publish it (or set C360_PUBLISHED_PATH)\n"
    )
    older = tmp_path / "older.duckdb"
    with duckdb.connect(str(older)) as connection:
        connection.execute("create table customer360__segment_summary as select 1 as customers")
    result = published.c360("export", "--audience", "watchlist", C360_PUBLISHED_PATH=str(older))
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"c360 export: published database {older} has no table customer360__watchlist"
    )
    assert len(result.stderr.splitlines()) == 1
