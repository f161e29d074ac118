"""seeds/watchlist_rules.csv: a rule row that does not make sense fails the build by name.

Each case loads an edited copy of the seed in a shadow project (links to the real one, with its
own seeds/) and expects the seed to fail with a message naming the rule and the column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, Workspace, assert_ok

NOT_LINKED = {"target", "logs", "data", "reports", ".git", ".venv", ".pytest_cache", "seeds"}
SEED = PROJECT_DIR / "seeds" / "watchlist_rules.csv"
EFFORT = PROJECT_DIR / "seeds" / "engagement_model_effort.csv"


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("watchlist_rules"))
    assert_ok(ws.c360("generate", "--customers", "1000", "--quiet"))
    return ws


def default_rows(seed: Path = SEED) -> list[dict[str, str]]:
    with seed.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shadow project: links to the real one, with its own seeds/ (one seed file edited)."""
    project = tmp_path_factory.mktemp("rules_project")
    for item in PROJECT_DIR.iterdir():
        if item.name not in NOT_LINKED:
            (project / item.name).symlink_to(item)
    (project / "seeds").mkdir()
    for item in (PROJECT_DIR / "seeds").iterdir():
        if item.name not in (SEED.name, EFFORT.name):
            (project / "seeds" / item.name).symlink_to(item)
    (project / "seeds" / EFFORT.name).write_text(EFFORT.read_text())
    return project


def load_seed(raw: Workspace, project: Path, rows: list[dict[str, str]], seed: Path = SEED):
    """Write the seed into the shadow project and load it (partial parsing sees the edit)."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    target = project / "seeds" / seed.name
    target.unlink(missing_ok=True)
    target.write_text(text.getvalue())
    return raw.dbt(
        "seed",
        "--select",
        seed.stem,
        "--project-dir",
        str(project),
        DBT_TARGET_PATH=str(project / "target"),
        DBT_LOG_PATH=str(project / "logs"),
    )


def edited(rule_id: str, **changes: str) -> list[dict[str, str]]:
    rows = default_rows()
    row = next(row for row in rows if row["rule_id"] == rule_id)
    row.update(changes)
    return rows


CASES = {
    "unknown metric": (
        edited("smb_inactive_45d", metric="days_inactive"),
        "rule 'smb_inactive_45d', column metric: unknown metric 'days_inactive'",
    ),
    "unknown segment": (
        edited("hve_monetary_bias_high", customer_segment="HVE"),
        "rule 'hve_monetary_bias_high', column customer_segment: unknown segment 'HVE'",
    ),
    "unknown comparison": (
        edited("smb_inactive_45d", comparison="=>"),
        "rule 'smb_inactive_45d', column comparison: unknown comparison '=>'",
    ),
    "non-numeric threshold": (
        edited("smb_inactive_45d", threshold="45 days"),
        "rule 'smb_inactive_45d', column threshold: '45 days' is not a number",
    ),
    "unknown severity": (
        edited("smb_inactive_45d", severity="high"),
        "rule 'smb_inactive_45d', column severity: unknown severity 'high'",
    ),
    "is_enabled not a boolean": (
        edited("smb_inactive_45d", is_enabled="yes"),
        "rule 'smb_inactive_45d', column is_enabled: 'yes' is not true or false",
    ),
    "unknown placeholder": (
        edited("smb_inactive_45d", reason_template="inactive {days}"),
        "rule 'smb_inactive_45d', column reason_template: unknown placeholder {days}",
    ),
    "duplicate rule_id": (
        [*default_rows(), {**default_rows()[0], "threshold": "0.9"}],
        "rule 'hve_monetary_bias_high', column rule_id: duplicate: two rows test "
        "monetary_bias for segment High-Value Enterprise",
    ),
    "a rule's rows disagree": (
        edited("sales_to_support_sla", severity="critical"),
        "rule 'sales_to_support_sla', column severity: the rule's rows disagree",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_rule_row_fails_the_seed_naming_the_rule_and_the_column(
    raw: Workspace, project: Path, case: str
) -> None:
    rows, message = CASES[case]
    result = load_seed(raw, project, rows)
    assert result.returncode != 0, result.stdout
    assert f"customer360: seeds/watchlist_rules.csv {message}" in result.stdout


def test_the_default_rules_load(raw: Workspace, project: Path) -> None:
    result = load_seed(raw, project, default_rows())
    assert_ok(result)
    assert "INSERT " in result.stdout


EFFORT_CASES = {
    "a negative number": (
        lambda rows: [
            {**row, "hours_per_customer_monthly": "-1"} if i == 1 else row
            for i, row in enumerate(rows)
        ],
        "engagement model 'Dedicated Account Management': hours_per_customer_monthly '-1' is "
        "not a number >= 0",
    ),
    "a missing model": (
        lambda rows: [
            row for row in rows if row["recommended_engagement_model"] != "Standard Engagement"
        ],
        "lacks engagement model 'Standard Engagement'",
    ),
    "an unknown model": (
        lambda rows: [
            *rows,
            {"recommended_engagement_model": "Golf", "hours_per_customer_monthly": "3"},
        ],
        "engagement model 'Golf': unknown engagement model",
    ),
}


@pytest.mark.parametrize("case", list(EFFORT_CASES))
def test_a_bad_effort_row_fails_the_seed_naming_the_model(
    raw: Workspace, project: Path, case: str
) -> None:
    edit, message = EFFORT_CASES[case]
    result = load_seed(raw, project, edit(default_rows(EFFORT)), EFFORT)
    assert result.returncode != 0, result.stdout
    assert f"customer360: seeds/engagement_model_effort.csv {message}" in result.stdout
