"""The MetricFlow semantic layer over the mart, queried with `mf` (dbt-metricflow) on DuckDB."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, Workspace

pytest.importorskip(
    "dbt_metricflow", reason="needs dbt-metricflow[dbt-duckdb]==0.15.0 (see requirements)"
)

# Left out of the shadow project: build outputs that belong to other runs.
NOT_LINKED = {"target", "logs", "data", "reports", ".git", ".venv", ".pytest_cache"}


@pytest.fixture(scope="module")
def mf_project(demo_build: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project root for `mf` that links to the real project but has its own target/.

    mf reads target/semantic_manifest.json under the project root whatever DBT_TARGET_PATH
    says, so the demo build's manifest is placed there instead of in the checkout's target/.
    """
    root = tmp_path_factory.mktemp("mf_project")
    for item in PROJECT_DIR.iterdir():
        if item.name not in NOT_LINKED:
            (root / item.name).symlink_to(item)
    (root / "target").mkdir()
    shutil.copy(demo_build.target_dir / "semantic_manifest.json", root / "target")
    return root


def mf(demo_build: Workspace, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = demo_build.env(
        DBT_PROJECT_DIR=str(project),
        DBT_PROFILES_DIR=str(project),
        DBT_TARGET_PATH=str(project / "target"),
        DBT_LOG_PATH=str(project / "logs"),
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mf"), *args],
        cwd=project,
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, f"mf {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def mart_rows(demo_build: Workspace, sql: str) -> list[tuple]:
    with duckdb.connect(str(demo_build.duckdb_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_metricflow_validates_the_semantic_layer_against_the_database(
    demo_build: Workspace, mf_project: Path
) -> None:
    result = mf(demo_build, mf_project, "validate-configs")
    output = result.stdout + result.stderr
    assert "Successfully validated metrics against data warehouse" in output
    assert "ERRORS: 0" in output


def test_metrics_by_segment_match_the_mart(demo_build: Workspace, mf_project: Path) -> None:
    out = mf_project / "by_segment.csv"
    metrics = (
        "customers,hve_customers,hve_share,revenue_at_risk,mean_customer_health_score,"
        "mean_customer_ltv"
    )
    mf(
        demo_build,
        mf_project,
        "query",
        "--metrics",
        metrics,
        "--group-by",
        "customer__customer_segment",
        "--csv",
        str(out),
    )
    with out.open() as handle:
        queried = {row["customer__customer_segment"]: row for row in csv.DictReader(handle)}
    expected = mart_rows(
        demo_build,
        """
        select
            customer_segment,
            count(*),
            sum(case when is_high_value_enterprise then 1 else 0 end),
            sum(revenue_at_risk),
            avg(customer_health_score),
            avg(estimated_customer_ltv)
        from customer360__customer_value_analysis
        group by customer_segment
        """,
    )
    assert (
        set(queried)
        == {row[0] for row in expected}
        == {
            "High-Value Enterprise",
            "Enterprise",
            "SMB",
        }
    )
    for segment, customers, hve, at_risk, health, ltv in expected:
        row = queried[segment]
        assert int(row["customers"]) == customers
        assert int(row["hve_customers"]) == hve
        assert float(row["hve_share"]) == pytest.approx(hve / customers, rel=1e-12)
        assert float(row["revenue_at_risk"]) == pytest.approx(float(at_risk), rel=1e-12)
        assert float(row["mean_customer_health_score"]) == pytest.approx(health, rel=1e-9)
        assert float(row["mean_customer_ltv"]) == pytest.approx(float(ltv), rel=1e-9)
    assert float(queried["High-Value Enterprise"]["hve_share"]) == 1.0


def test_the_time_spine_spans_the_data_not_the_wall_clock(demo_build: Workspace) -> None:
    (first_signup, as_of_date), *_ = mart_rows(
        demo_build,
        "select min(signup_date), max(as_of_date) from customer360__customer_value_analysis",
    )
    (first_day, last_day, days, distinct_days), *_ = mart_rows(
        demo_build,
        "select min(date_day), max(date_day), count(*), count(distinct date_day) "
        "from time_spine_daily",
    )
    assert (first_day, last_day) == (first_signup, as_of_date)
    assert isinstance(first_day, date)
    assert days == distinct_days == (as_of_date - first_signup).days + 1
