"""Read the artifacts a dbt run leaves in its target directory (run_results.json, manifest.json).

`c360 build` uses them to decide whether a run may be published, `c360 alerts` to summarise it.
Beside them `c360 build` keeps its own record of the last build (c360_build.json): what failed
at which stage (the on-run-start hook, dbt, the publish guard, publishing), because a failure
before dbt writes run_results.json, or after it, would otherwise reach no alert.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from customer360.settings import Settings

BUILD_RECORD = "c360_build.json"


def target_dir(settings: Settings) -> Path:
    """Where dbt writes its artifacts: $DBT_TARGET_PATH (relative to the project), else target/."""
    value = os.environ.get("DBT_TARGET_PATH")
    path = Path(value) if value else Path("target")
    return path if path.is_absolute() else settings.project_dir / path


@dataclass(frozen=True)
class NodeResult:
    """One node's outcome in a run: a model, seed, test, hook ..."""

    unique_id: str
    status: str
    message: str | None
    failures: int | None
    relation_name: str | None
    compiled_code: str | None = None

    @property
    def resource_type(self) -> str:
        return self.unique_id.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The node's name: data tests end in a hash, unit tests are `<model>.<name>`."""
        parts = self.unique_id.split(".")
        if self.resource_type == "test" and len(parts) >= 4:
            return parts[2]
        return parts[-1]

    @property
    def unit_tested_model(self) -> str | None:
        parts = self.unique_id.split(".")
        return parts[2] if self.resource_type == "unit_test" and len(parts) >= 4 else None


@dataclass(frozen=True)
class RunResults:
    """The parts of run_results.json that customer360 relies on."""

    invocation_id: str
    generated_at: str
    dbt_version: str
    elapsed_seconds: float
    command: str | None
    cli_vars: dict[str, Any]
    is_empty_run: bool
    results: tuple[NodeResult, ...]

    def by_name(self, name: str) -> NodeResult | None:
        return next((r for r in self.results if r.name == name), None)


def read_run_results(path: Path) -> RunResults:
    """Parse run_results.json; raises FileNotFoundError or ValueError when it is unusable."""
    data = json.loads(path.read_text())
    metadata, args = data["metadata"], data.get("args", {})
    cli_vars = args.get("vars") or {}
    return RunResults(
        invocation_id=metadata["invocation_id"],
        generated_at=metadata["generated_at"],
        dbt_version=metadata.get("dbt_version", "?"),
        elapsed_seconds=float(data.get("elapsed_time") or 0.0),
        command=args.get("which"),
        cli_vars=cli_vars if isinstance(cli_vars, dict) else {},
        is_empty_run=bool(args.get("empty")),
        results=tuple(
            NodeResult(
                unique_id=r["unique_id"],
                status=r["status"],
                message=r.get("message"),
                failures=r.get("failures"),
                relation_name=r.get("relation_name"),
                compiled_code=r.get("compiled_code"),
            )
            for r in data["results"]
        ),
    )


def failures_relation(result: NodeResult, node: dict[str, Any]) -> str | None:
    """'audit.<test>': where a data test that failed or warned keeps its failing rows.

    dbt names the table in `relation_name` when it stored them itself (`store_failures_as`
    table); under `c360 build` (ephemeral) `publish.write_test_results` stores them after the
    run under the name dbt would give them, the test's alias in its schema (`node`, from the
    manifest). None for a test without failing rows and for every other node.
    """
    if result.resource_type != "test" or not result.failures:
        return None
    if result.relation_name:
        parts = [part.strip('"') for part in result.relation_name.split(".")]
        return ".".join(parts[-2:])
    schema, alias = node.get("schema"), node.get("alias")
    return f"{schema}.{alias}" if schema and alias else None


def read_manifest_nodes(path: Path) -> dict[str, dict[str, Any]]:
    """unique_id -> node of manifest.json (models, tests, seeds ...); empty when absent."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text()).get("nodes", {})


def public_model_names(nodes: dict[str, dict[str, Any]]) -> set[str]:
    """Models declared `access: public`: the tables BI readers are promised."""
    return {
        node["name"]
        for node in nodes.values()
        if node.get("resource_type") == "model" and node.get("access") == "public"
    }


def build_record_path(settings: Settings) -> Path:
    return target_dir(settings) / BUILD_RECORD


def write_build_record(path: Path, record: dict[str, Any]) -> None:
    """Replace the record atomically, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f"{path.name}.tmp")
    staged.write_text(json.dumps(record, indent=2, default=str) + "\n")
    os.replace(staged, path)


def read_build_record(path: Path) -> dict[str, Any] | None:
    """The last build's record; None when there is none or it is unreadable."""
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def project_vars(settings: Settings, cli_vars: dict[str, Any] | None = None) -> dict[str, Any]:
    """The dbt vars a run saw: dbt_project.yml's, overridden by those given on the command line."""
    project = yaml.safe_load((settings.project_dir / "dbt_project.yml").read_text()) or {}
    return {**(project.get("vars") or {}), **(cli_vars or {})}
