"""Shared fixtures: real dbt builds of generated raw data in temporary directories.

Every build gets its own raw dir, databases, dbt target and log paths, so tests never touch the
developer's data/ or target/ and can run side by side.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]

# A pytest-xdist worker runs under a __main__ with neither __spec__ nor __file__. pyspark's
# connect package (which Great Expectations imports when pyspark is installed, as CI installs
# it for the Spark test) takes that for a doctest run and calls sys.exit(0) on import. Give
# the worker's __main__ the file name any script has.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<pytest-xdist worker>"


@dataclass(frozen=True)
class Workspace:
    """Paths of one isolated customer360 run."""

    root: Path

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def duckdb_path(self) -> Path:
        return self.root / "work.duckdb"

    @property
    def published_path(self) -> Path:
        return self.root / "published.duckdb"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def target_dir(self) -> Path:
        return self.root / "target"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "C360_PROJECT_DIR": str(PROJECT_DIR),
            "C360_RAW_DIR": str(self.raw_dir),
            "C360_DUCKDB_PATH": str(self.duckdb_path),
            "C360_PUBLISHED_PATH": str(self.published_path),
            "C360_REPORTS_DIR": str(self.reports_dir),
            "DBT_TARGET_PATH": str(self.target_dir),
            "DBT_LOG_PATH": str(self.root / "logs"),
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            **extra,
        }

    def c360(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        """Run the real CLI in a subprocess; output captured for assertions."""
        return subprocess.run(
            [sys.executable, "-m", "customer360.cli", *args],
            cwd=PROJECT_DIR,
            env=self.env(**extra_env),
            text=True,
            capture_output=True,
            check=False,
        )

    def dbt(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        """Run plain `dbt` from the project root, as an analytics engineer would."""
        dbt = Path(sys.executable).parent / "dbt"
        return subprocess.run(
            [str(dbt), *args],
            cwd=PROJECT_DIR,
            env=self.env(**extra_env),
            text=True,
            capture_output=True,
            check=False,
        )


def assert_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The default demo (5,001 customers) generated and built once per test session."""
    ws = Workspace(tmp_path_factory.mktemp("demo"))
    assert_ok(ws.c360("generate", "--quiet"))
    assert_ok(ws.c360("build"))
    return ws
