"""Where customer360 finds its project, raw files, databases and reports.

Everything is read from environment variables with defaults under the project root, so that
the CLI and a plain `dbt build` agree on the same paths.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_MARKER = "dbt_project.yml"
# DuckDB's memory_limit when C360_DUCKDB_MEMORY_LIMIT is unset: profiles.yml's default, which the
# benchmark's floor uses too (a test checks that they agree).
DEFAULT_DUCKDB_MEMORY_LIMIT = "2.5GB"
# dbt_project.yml's `store_failures_as` for data tests, in the dbt that customer360's commands
# run: not a table per test (dbt's own default, 'table', for a plain `dbt build`), because
# `c360 build` keeps the failing tests' rows itself (publish.write_test_results).
STORE_TEST_FAILURES_AS = {"C360_STORE_TEST_FAILURES_AS": "ephemeral"}


def duckdb_memory_limit() -> str:
    """The memory_limit profiles.yml gives dbt's DuckDB in this environment."""
    return os.environ.get("C360_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)


def find_project_dir(start: Path | None = None) -> Path:
    """The dbt project root: $C360_PROJECT_DIR, else the nearest parent holding dbt_project.yml.

    Falls back to the checkout this package was installed from (editable install).
    """
    if env := os.environ.get("C360_PROJECT_DIR"):
        return Path(env).resolve()
    for candidate in [start or Path.cwd(), *(start or Path.cwd()).parents]:
        if (candidate / PROJECT_MARKER).is_file():
            return candidate.resolve()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / PROJECT_MARKER).is_file():
        return checkout
    raise FileNotFoundError(
        f"no {PROJECT_MARKER} found from {Path.cwd()}; run from the customer360 checkout "
        "or set C360_PROJECT_DIR"
    )


def _path_from_env(name: str, default: Path, root: Path) -> Path:
    value = os.environ.get(name)
    path = Path(value) if value else default
    return path if path.is_absolute() else (root / path)


@dataclass(frozen=True)
class Settings:
    """Resolved, absolute paths of one customer360 installation."""

    project_dir: Path
    raw_dir: Path
    duckdb_path: Path
    published_path: Path
    reports_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        root = find_project_dir()
        return cls(
            project_dir=root,
            raw_dir=_path_from_env("C360_RAW_DIR", Path("data/raw"), root),
            duckdb_path=_path_from_env("C360_DUCKDB_PATH", Path("data/customer360.duckdb"), root),
            published_path=_path_from_env(
                "C360_PUBLISHED_PATH", Path("data/customer360_published.duckdb"), root
            ),
            reports_dir=_path_from_env("C360_REPORTS_DIR", Path("reports"), root),
        )

    def dbt_env(self) -> dict[str, str]:
        """The environment a dbt subprocess needs to see the same paths as the CLI."""
        return {
            **os.environ,
            **STORE_TEST_FAILURES_AS,
            "C360_RAW_DIR": str(self.raw_dir),
            "C360_DUCKDB_PATH": str(self.duckdb_path),
            "C360_PUBLISHED_PATH": str(self.published_path),
            "DBT_PROFILES_DIR": str(self.project_dir),
        }


def existing_mart_database(override: Path | None, command: str) -> Path | None:
    """The database a reader command reads: `override`, else the published mart.

    Prints what to do and returns None when the file does not exist.
    """
    database = override or Settings.from_env().published_path
    if database.is_file():
        return database
    print(
        f"c360 {command}: database {database} does not exist; run `c360 build` to publish "
        "the mart, or pass --database"
    )
    return None
