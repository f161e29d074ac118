"""customer360.dbt_cli, the way c360 runs dbt: dbt's own exit codes and output, and a database
left closed although the process skips the interpreter's teardown."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, Workspace

from customer360.dbt_runner import dbt_command

_TIMESTAMP = re.compile(r"\d\d:\d\d:\d\d(\.\d+)?")


def _dbt_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`dbt ARGS` as c360 runs it."""
    return subprocess.run(
        [*dbt_command(), *args], cwd=PROJECT_DIR, env=env, text=True, capture_output=True
    )


def _without_timestamps(text: str) -> str:
    return _TIMESTAMP.sub("HH:MM:SS", text)


@pytest.mark.parametrize(
    ("args", "exit_code"),
    [
        (["--version"], 0),
        (["build", "--no-such-flag"], 2),  # a usage error, found by dbt's command line
        (["run-operation", "no_such_macro"], 2),  # an error dbt raises after parsing
    ],
)
def test_it_exits_and_prints_as_plain_dbt_does(
    workspace: Workspace, args: list[str], exit_code: int
) -> None:
    workspace.dbt("parse")  # both commands then start from the same saved manifest
    plain = workspace.dbt(*args)
    ours = _dbt_cli(args, workspace.env())
    assert plain.returncode == exit_code, plain.stdout + plain.stderr
    assert ours.returncode == exit_code, ours.stdout + ours.stderr
    assert _without_timestamps(ours.stdout) == _without_timestamps(plain.stdout)
    assert _without_timestamps(ours.stderr) == _without_timestamps(plain.stderr)


def test_a_c360_build_leaves_the_work_database_closed(demo_build: Workspace) -> None:
    # dbt_cli ends with os._exit after the exit handlers: dbt-duckdb's must have closed (and so
    # checkpointed) the database, or its write-ahead log would be left for the next reader.
    assert demo_build.duckdb_path.exists()
    assert not Path(f"{demo_build.duckdb_path}.wal").exists()
    log = demo_build.root / "logs" / "dbt.log"
    assert log.exists(), "the demo build wrote no dbt log"
    assert "Command `dbt build` succeeded" in log.read_text(errors="replace")


def test_dbt_sends_no_usage_events_from_this_project(workspace: Workspace) -> None:
    # The project's flags turn dbt's anonymous usage tracking off: nothing reaches the network
    # at build time, even where the environment does not say so.
    env = {k: v for k, v in workspace.env().items() if k != "DBT_SEND_ANONYMOUS_USAGE_STATS"}
    parsed = _dbt_cli(["--log-level-file", "debug", "parse"], env)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    log = (workspace.root / "logs" / "dbt.log").read_text(errors="replace")
    assert "Command `dbt parse` succeeded" in log
    assert "Sending event" not in log
