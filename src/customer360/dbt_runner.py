"""Run dbt as a subprocess of the project's own environment (through customer360.dbt_cli), with
the CLI's paths.

The dbt child must not outlive `c360`: it holds the work database's write lock, so a dbt left
running after `c360 build` was killed would block the next build. On Linux the child asks the
kernel for SIGTERM when its parent dies (even by SIGKILL); SIGTERM, SIGINT and SIGHUP sent to
`c360` are passed on to the child before `c360` exits.
"""

from __future__ import annotations

import ctypes
import json
import signal
import subprocess
import sys
from collections.abc import Callable
from types import FrameType

from customer360.settings import Settings

# prctl(2) option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1
_FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def dbt_command() -> list[str]:
    """How c360 runs dbt: dbt's own command line in this Python (the project venv), through
    `customer360.dbt_cli`, which spares the interpreter's teardown and most garbage collection
    (see that module). Arguments, output and exit codes are dbt's."""
    return [sys.executable, "-m", "customer360.dbt_cli"]


def _die_with_parent() -> None:
    """Runs in the child between fork and exec: SIGTERM it when `c360` dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: signal forwarding still applies
        pass


def run_dbt(
    settings: Settings,
    args: list[str],
    dbt_vars: dict | None = None,
    capture: bool = False,
    on_line: Callable[[str], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` in the project directory; return the finished process.

    `capture` keeps the output (stdout and stderr together) instead of showing it; `on_line`
    sees every line while it is also shown, so a caller can keep what it needs (the error of a
    failed on-run-start hook, which dbt writes nowhere else).
    """
    command = [*dbt_command(), *args]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    process = subprocess.Popen(
        command,
        cwd=settings.project_dir,
        env=settings.dbt_env(),
        text=True,
        stdout=subprocess.PIPE if capture or on_line else None,
        stderr=subprocess.STDOUT if capture or on_line else None,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    previous = _forward_signals_to(process)
    try:
        lines: list[str] = []
        if process.stdout is not None:
            for line in process.stdout:
                lines.append(line)
                if on_line is not None:
                    on_line(line)
                    if not capture:
                        sys.stdout.write(line)
                        sys.stdout.flush()
        returncode = process.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    output = "".join(lines) if capture else None
    return subprocess.CompletedProcess(command, returncode, output, None)


def _forward_signals_to(process: subprocess.Popen) -> dict[int, object]:
    """Pass termination signals on to dbt, then exit as the signal asks."""

    def forward(number: int, _frame: FrameType | None) -> None:
        if process.poll() is None:
            process.send_signal(number)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        raise SystemExit(128 + number)

    previous: dict[int, object] = {}
    for number in _FORWARDED_SIGNALS:
        try:
            previous[number] = signal.signal(number, forward)
        except ValueError:  # not the main thread: leave signals alone
            break
    return previous
