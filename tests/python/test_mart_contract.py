"""The Great Expectations mart suite is derived from the mart's model YAML (issue 14 item 2):
each declared column test becomes one expectation, its Jinja rendered with the build's vars,
and a declaration the suite cannot read fails with the model, column and argument named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_DIR

from customer360.mart_contract import ContractError, declared_columns
from customer360.validate import MART, RuleVars, mart_columns, mart_expectations

MART_YAML = PROJECT_DIR / "models" / "marts" / "_marts__models.yml"


def _yaml_columns() -> list[dict]:
    document = yaml.safe_load(MART_YAML.read_text(encoding="utf-8"))
    (mart,) = [model for model in document["models"] if model["name"] == MART]
    return mart["columns"]


def _test_names(column: dict) -> list[str]:
    return [t if isinstance(t, str) else next(iter(t)) for t in column.get("data_tests", [])]


def _project(tmp_path: Path, columns: list[dict]) -> Path:
    (tmp_path / "models").mkdir()
    document = {"version": 2, "models": [{"name": MART, "columns": columns}]}
    (tmp_path / "models" / "_mart.yml").write_text(yaml.safe_dump(document), encoding="utf-8")
    return tmp_path


def _by_type(expectations: list) -> dict[str, set]:
    found: dict[str, set] = {}
    for expectation in expectations:
        config = expectation.configuration
        found.setdefault(config.type, set()).add(config.kwargs.get("column"))
    return found


def test_the_suite_has_one_expectation_per_declared_column_test() -> None:
    rule_vars = RuleVars.from_project(PROJECT_DIR)
    declared = _yaml_columns()
    suite = _by_type(mart_expectations(mart_columns(PROJECT_DIR, rule_vars), expected_rows=10))
    for test, expectation in [
        ("not_null", "expect_column_values_to_not_be_null"),
        ("unique", "expect_column_values_to_be_unique"),
        ("accepted_values", "expect_column_values_to_be_in_set"),
        ("c360_between", "expect_column_values_to_be_between"),
    ]:
        expected = {c["name"] for c in declared if test in _test_names(c)}
        assert expected, test
        assert suite[expectation] == expected, test
    assert suite["expect_table_row_count_to_equal"] == {None}


def test_bounds_and_sets_are_the_yaml_s_rendered_with_the_build_s_vars() -> None:
    rule_vars = RuleVars.from_values(
        {**RuleVars.from_project(PROJECT_DIR).values, "rfm_window_days": 365}
    )
    columns = {c.name: c for c in mart_columns(PROJECT_DIR, rule_vars)}
    # recency_days: {min_value: 0, max_value: "{{ var('rfm_window_days') - 1 }}"}
    assert (columns["recency_days"].min_value, columns["recency_days"].max_value) == (0, 364)
    assert (columns["churn_probability"].min_value, columns["churn_probability"].max_value) == (
        0,
        1,
    )
    assert columns["customer_segment"].accepted_values == (
        "High-Value Enterprise",
        "Enterprise",
        "SMB",
    )
    assert columns["recency_score"].accepted_values == (1, 2, 3, 4, 5)
    assert columns["revenue_at_risk"].is_decimal and not columns["churn_probability"].is_decimal
    assert columns["customer_id"].unique and columns["customer_id"].not_null


def test_a_test_added_to_the_yaml_reaches_the_suite(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        [
            {"name": "customer_id", "data_tests": ["unique", "not_null"]},
            {
                "name": "customer_tier",
                "data_tests": [{"accepted_values": {"arguments": {"values": ["Gold"]}}}],
            },
            # the older form, arguments directly under the test's name
            {"name": "score", "data_tests": [{"c360_between": {"max_value": "{{ var('top') }}"}}]},
        ],
    )
    columns = declared_columns(project, MART, {"top": 7})
    suite = {e.configuration.type: e.configuration.kwargs for e in mart_expectations(columns, 1)}
    assert suite["expect_column_values_to_be_in_set"]["value_set"] == ["Gold"]
    between = suite["expect_column_values_to_be_between"]
    assert (between["column"], between.get("min_value"), between["max_value"]) == ("score", None, 7)


def test_an_unreadable_declaration_is_named(tmp_path: Path) -> None:
    bound = {"c360_between": {"arguments": {"min_value": "{{ var('floor') }}"}}}
    project = _project(tmp_path, [{"name": "score", "data_tests": [bound]}])
    with pytest.raises(ContractError, match=r"var\('floor'\), which the build lacks"):
        declared_columns(project, MART, {})
    with pytest.raises(ContractError, match=rf"{MART}\.score: c360_between min_value is 'low'"):
        declared_columns(project, MART, {"floor": "low"})
    with pytest.raises(ContractError, match="declares model customer360__other"):
        declared_columns(project, "customer360__other", {})
