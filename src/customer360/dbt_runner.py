"""Run dbt as a subprocess of the project's own environment, with the CLI's paths."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from customer360.settings import Settings


def dbt_executable() -> str:
    """The dbt installed beside this Python (the project venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise FileNotFoundError("dbt is not installed; run scripts/setup.sh first")
    return found


def run_dbt(
    settings: Settings, args: list[str], dbt_vars: dict | None = None, capture: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` in the project directory; return the finished process."""
    command = [dbt_executable(), *args]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    return subprocess.run(
        command,
        cwd=settings.project_dir,
        env=settings.dbt_env(),
        text=True,
        capture_output=capture,
        check=False,
    )
