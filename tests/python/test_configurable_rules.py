"""Business rules follow their vars end to end: the model, its dbt data tests, the Great
Expectations suites, the examples.

A demo of 1,000 customers is built with enterprise tiers and an HVE threshold other than the
defaults. The build (models and every data test) must pass, the mart must follow the changed
rule, and the HVE and segment tests must read the vars: run with the default vars against the
same mart, they fail. `c360 validate` takes the vars from the publication row, and its HVE and
segment expectations fail with the defaults just as the dbt tests do. The example queries in
the public marts' descriptions run on its published database.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, Workspace, assert_ok

from customer360.validate import RuleVars, validate_mart

ENTERPRISE_TIERS = ["Silver", "Gold", "Platinum"]
# Splits the 1,000-customer demo's enterprise accounts (portfolios of a few dozen customers):
# Silver customers fall on either side of 10%, where the default 5% would make them all HVE.
HVE_MIN_CONTRIBUTION_PCT = 10
CHANGED_VARS = json.dumps(
    {"enterprise_tiers": ENTERPRISE_TIERS, "hve_min_contribution_pct": HVE_MIN_CONTRIBUTION_PCT}
)
RULE_TESTS = ["mart_hve_rule", "mart_segment_follows_tier_and_hve"]


@pytest.fixture(scope="module")
def changed_rules(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("configurable_rules"))
    assert_ok(ws.c360("generate", "--customers", "1000", "--quiet"))
    assert_ok(ws.c360("build", "--vars", CHANGED_VARS))
    return ws


def mart_rows(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(
            "select customer_tier, portfolio_contribution_pct, is_high_value_enterprise,"
            " customer_segment from main.customer360__customer_value_analysis"
        ).fetchall()


def test_mart_follows_the_changed_hve_rule(changed_rules: Workspace) -> None:
    rows = mart_rows(changed_rules.published_path)
    assert len(rows) > 900
    for tier, contribution, is_hve, segment in rows:
        enterprise = tier in ENTERPRISE_TIERS
        if abs(contribution - HVE_MIN_CONTRIBUTION_PCT) > 1e-9:
            assert is_hve == (enterprise and contribution > HVE_MIN_CONTRIBUTION_PCT), (
                tier,
                contribution,
                is_hve,
            )
        expected = "High-Value Enterprise" if is_hve else "Enterprise" if enterprise else "SMB"
        assert segment == expected, (tier, contribution, is_hve, segment)
    # The change matters: Silver customers are now enterprise accounts, on both sides of the
    # threshold, and an enterprise account above the default 5% but not above 10% is not HVE.
    assert any(tier == "Silver" and is_hve for tier, _, is_hve, _ in rows)
    assert any(tier == "Silver" and segment == "Enterprise" for tier, _, _, segment in rows)
    assert any(
        tier in ENTERPRISE_TIERS and 5 < pct <= HVE_MIN_CONTRIBUTION_PCT and not is_hve
        for tier, pct, is_hve, _ in rows
    )


def test_rule_tests_read_the_vars(changed_rules: Workspace) -> None:
    """The same tests on the same mart pass with the build's vars and fail with the defaults."""
    selection = ["--select", *RULE_TESTS]
    assert_ok(changed_rules.dbt("test", *selection, "--vars", CHANGED_VARS))
    defaults = changed_rules.dbt("test", *selection)
    assert defaults.returncode != 0, defaults.stdout
    for name in RULE_TESTS:
        assert re.search(rf"FAIL \d+ {name}\b", defaults.stdout), defaults.stdout


def example_queries(manifest_path: Path) -> dict[str, list[str]]:
    """The ```sql examples in the descriptions of the public SQL models, by model."""
    manifest = json.loads(manifest_path.read_text())
    examples = {}
    for node in manifest["nodes"].values():
        public_sql = node.get("access") == "public" and node.get("language") == "sql"
        if node["resource_type"] == "model" and public_sql:
            examples[node["name"]] = re.findall(r"```sql\n(.*?)```", node["description"], re.S)
    return examples


def test_public_marts_document_example_queries_that_run(changed_rules: Workspace) -> None:
    examples = example_queries(changed_rules.target_dir / "manifest.json")
    assert "customer360__customer_value_analysis" in examples
    with duckdb.connect(str(changed_rules.published_path), read_only=True) as connection:
        for model, queries in examples.items():
            assert queries, f"{model}: no ```sql example in its description"
            for sql in queries:
                connection.execute(sql).fetchall()


def test_ge_suites_take_the_vars_from_the_publication(
    changed_rules: Workspace, tmp_path: Path
) -> None:
    """The published build recorded its vars; with them the GE rule expectations hold on the
    changed mart, with dbt_project.yml's defaults both fail."""
    published = changed_rules.published_path
    defaults = RuleVars.from_project(PROJECT_DIR)
    recorded = RuleVars.from_publication(published)
    assert recorded == RuleVars(
        float(HVE_MIN_CONTRIBUTION_PCT), tuple(ENTERPRISE_TIERS), defaults.rfm_window_days
    )
    rule_columns = {"hve_rule_violation", "segment_rule_violation"}

    def failed_rule_columns(rule_vars: RuleVars, name: str) -> set[str | None]:
        outcome = validate_mart(published, tmp_path / name, rule_vars, PROJECT_DIR)
        return {failure.column for failure in outcome.failures} & rule_columns

    assert failed_rule_columns(recorded, "recorded") == set()
    assert failed_rule_columns(defaults, "defaults") == rule_columns
    result = changed_rules.c360(
        "validate", "--database", str(published), C360_REPORTS_DIR=str(tmp_path / "cli")
    )
    assert "note: rule vars from the publication row" in result.stdout
    assert "rule_violation" not in result.stdout, result.stdout
