"""The published mart's columns and their data tests, as the model YAML declares them.

dbt tests the mart with these declarations; the Great Expectations suites (validate.py) are
derived from the same ones, so a column's type, range, set or not-null rule is written once, in
the model's YAML (models/marts/_marts__models.yml). Jinja in a test's arguments, such as
`{{ var('rfm_window_days') - 1 }}`, is rendered with the vars of the build being checked.

Four kinds of column test carry over: `not_null`, `unique`, `accepted_values` and
`c360_between`. The others (relationships, model-level expressions) stay dbt's alone; the rules
GE checks besides are in validate.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

MODELS_DIR = "models"
MART = "customer360__customer_value_analysis"


class ContractError(ValueError):
    """The model YAML does not declare the model, or a test argument cannot be read."""


@dataclass(frozen=True)
class DeclaredColumn:
    """One column of a model and what its data tests require of it."""

    name: str
    data_type: str | None
    not_null: bool = False
    unique: bool = False
    accepted_values: tuple[Any, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None

    @property
    def is_decimal(self) -> bool:
        return (self.data_type or "").lower().startswith("decimal")

    @property
    def is_tested(self) -> bool:
        bounded = self.min_value is not None or self.max_value is not None
        return self.not_null or self.unique or self.accepted_values is not None or bounded


def model_declaration(project_dir: Path, model: str) -> dict[str, Any]:
    """The YAML entry of `model` under the project's models/ (its columns, tests, config)."""
    for path in sorted((project_dir / MODELS_DIR).rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in document.get("models") or []:
            if entry.get("name") == model:
                return entry
    raise ContractError(f"no YAML under {project_dir / MODELS_DIR} declares model {model}")


def accepted_values(project_dir: Path, model: str, column: str) -> tuple[Any, ...]:
    """The labels a column may hold, in the order its `accepted_values` test lists them (the
    order readers show them in)."""
    for entry in model_declaration(project_dir, model).get("columns") or []:
        if entry["name"] == column:
            tests = dict(_tests(entry.get("data_tests") or entry.get("tests") or []))
            if "accepted_values" in tests:
                return tuple(tests["accepted_values"]["values"])
    raise ContractError(f"{model}.{column} declares no accepted_values test")


@cache
def mart_labels(column: str, project_dir: Path | None = None) -> tuple[Any, ...]:
    """The mart column's accepted_values in the project found from here (or `project_dir`),
    read once per process: the segments the report, the audience filter and GE show, say."""
    from customer360.settings import find_project_dir

    return accepted_values(project_dir or find_project_dir(), MART, column)


def mart_segments() -> tuple[str, ...]:
    """customer_segment's labels in the mart YAML's order (SPEC 3 fixes the three and it)."""
    return mart_labels("customer_segment")


def declared_columns(
    project_dir: Path, model: str, variables: Mapping[str, Any]
) -> tuple[DeclaredColumn, ...]:
    """The columns of `model` in YAML order, their test arguments rendered with `variables`."""
    render = _renderer(variables)
    columns = []
    for column in model_declaration(project_dir, model).get("columns") or []:
        tests = dict(_tests(column.get("data_tests") or column.get("tests") or []))
        between = {
            key: _number(render(value), model, column["name"], key)
            for key, value in tests.get("c360_between", {}).items()
            if key in ("min_value", "max_value") and value is not None
        }
        accepted = tests.get("accepted_values", {}).get("values")
        columns.append(
            DeclaredColumn(
                name=column["name"],
                data_type=column.get("data_type"),
                not_null="not_null" in tests,
                unique="unique" in tests,
                accepted_values=None if accepted is None else tuple(map(render, accepted)),
                **between,
            )
        )
    return tuple(columns)


def _tests(entries: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """(test name, arguments) of each entry: `not_null`, `{name: {arguments: {...}}}` or the
    older `{name: {...}}` form."""
    found = []
    for entry in entries:
        if isinstance(entry, str):
            found.append((entry, {}))
            continue
        for name, body in entry.items():
            body = body or {}
            found.append((name, dict(body.get("arguments", body))))
    return found


def _renderer(variables: Mapping[str, Any]):
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)

    def var(name: str, default: Any = None) -> Any:
        if name in variables:
            return variables[name]
        if default is None:
            raise ContractError(f"the model YAML uses var('{name}'), which the build lacks")
        return default

    def render(value: Any) -> Any:
        if not isinstance(value, str) or "{{" not in value:
            return value
        return yaml.safe_load(environment.from_string(value).render(var=var))

    return render


def _number(value: Any, model: str, column: str, argument: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise ContractError(
            f"{model}.{column}: c360_between {argument} is {value!r}; expected a number"
        ) from error
