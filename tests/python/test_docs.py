"""`dbt docs generate` works on a built project and documents marts, exposures and metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Workspace, assert_ok


@pytest.fixture(scope="module")
def docs_target(demo_build: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs artifacts, in their own target dir so the build's run_results stay as they were."""
    target = tmp_path_factory.mktemp("docs_target")
    assert_ok(demo_build.dbt("docs", "generate", DBT_TARGET_PATH=str(target)))
    return target


def test_docs_site_is_written(docs_target: Path) -> None:
    for artifact in ("index.html", "manifest.json", "catalog.json"):
        assert (docs_target / artifact).stat().st_size > 0
    assert "dbt Docs" in (docs_target / "index.html").read_text()


def test_catalog_describes_the_mart_and_monitoring_tables_from_the_database(
    docs_target: Path, demo_build: Workspace
) -> None:
    catalog = json.loads((docs_target / "catalog.json").read_text())
    nodes = {node["metadata"]["name"]: node for node in catalog["nodes"].values()}
    mart = nodes["customer360__customer_value_analysis"]
    assert mart["metadata"]["type"] == "BASE TABLE"
    assert mart["columns"]["customer_id"]["type"].upper() == "VARCHAR"
    assert mart["columns"]["churn_probability"]["type"].upper() == "DOUBLE"
    for name in (
        "customer360__source_quality",
        "customer360__mart_metrics_history",
        "customer360__mart_metrics_drift",
        "time_spine_daily",
    ):
        assert name in nodes, f"{name} missing from the catalog"


def test_manifest_documents_exposures_semantic_models_and_metrics(docs_target: Path) -> None:
    manifest = json.loads((docs_target / "manifest.json").read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    report = exposures["customer_value_report"]
    assert report["type"] == "analysis"
    assert report["url"] == "reports/customer_value_report.html"
    assert report["depends_on"]["nodes"] == [
        "model.customer360.customer360__customer_value_analysis"
    ]
    dashboard = exposures["customer_value_dashboard"]
    assert dashboard["type"] == "dashboard"
    assert "metric.customer360.hve_share" in dashboard["depends_on"]["nodes"]
    assert "model.customer360.customer360__segment_summary" in dashboard["depends_on"]["nodes"]

    semantic_models = {m["name"]: m for m in manifest["semantic_models"].values()}
    customers = semantic_models["customers"]
    assert customers["depends_on"]["nodes"] == [
        "model.customer360.customer360__customer_value_analysis"
    ]
    metrics = {m["name"]: m for m in manifest["metrics"].values()}
    assert {"customers", "hve_customers", "hve_share", "revenue_at_risk"} <= set(metrics)
    assert {"mean_customer_health_score", "mean_customer_ltv"} <= set(metrics)
    assert metrics["hve_share"]["type"] == "ratio"
    time_spine = next(n for n in manifest["nodes"].values() if n["name"] == "time_spine_daily")
    assert time_spine["time_spine"]["standard_granularity_column"] == "date_day"


# The models that gather one row set per source table: their parents are those tables.
PER_SOURCE_GATHERERS = {
    "stg_customer360__rows_read",
    "customer360__rejected_rows",
    "int_snapshot_input_fingerprints",
}


def test_every_model_has_at_most_six_parents_but_those_gathering_every_source(
    docs_target: Path,
) -> None:
    manifest = json.loads((docs_target / "manifest.json").read_text())
    parents = {
        node["name"]: node["depends_on"]["nodes"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    crowded = {name for name, nodes in parents.items() if len(nodes) > 6}
    assert crowded == PER_SOURCE_GATHERERS
