"""The dashboard bundle: Superset's own export format, committed under superset/dashboard/.

The bundle is what Superset's "export dashboard" writes (metadata.yaml, databases/, datasets/,
charts/, dashboards/), so a dashboard edited in the UI can be exported and committed again.
Before import, `prepare` fits it to this installation:

- the database points at the published mart ($C360_PUBLISHED_PATH), read-only;
- a dataset whose table the published database lacks is left out, with the charts on it (each
  named in a warning), so the dashboard works while some marts are still being built;
- the dashboard's layout drops the charts left out and gives every chart of charts/ that it
  does not place a full-width row at the end: adding a chart is adding its YAML file (and its
  dataset's, for a new table).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATABASE_URI_TEMPLATE = "duckdb:///{path}?access_mode=read_only"
NEW_CHART_HEIGHT = 50
GRID_WIDTH = 12


@dataclass(frozen=True)
class SkippedChart:
    """A chart of the bundle not imported, and the table it waits for."""

    name: str
    table: str


@dataclass(frozen=True)
class PreparedBundle:
    """The files to import (bundle path -> YAML text) and the charts left out."""

    contents: dict[str, str]
    skipped: tuple[SkippedChart, ...]
    tables: tuple[str, ...]


class BundleError(ValueError):
    """A bundle file is missing, unreadable or refers to something the bundle lacks."""


def read_bundle(bundle_dir: Path) -> dict[str, Any]:
    """Every YAML file of the bundle, parsed, by its path relative to `bundle_dir`."""
    if not (bundle_dir / "metadata.yaml").is_file():
        raise BundleError(f"{bundle_dir} holds no metadata.yaml: not a Superset export bundle")
    configs: dict[str, Any] = {}
    for path in sorted(bundle_dir.rglob("*.yaml")):
        relative = path.relative_to(bundle_dir).as_posix()
        try:
            configs[relative] = yaml.safe_load(path.read_text())
        except yaml.YAMLError as error:
            raise BundleError(f"{path} is not valid YAML: {error}") from error
    return configs


def prepare(
    configs: dict[str, Any], published_path: Path, present_tables: set[str]
) -> PreparedBundle:
    """The bundle fitted to the published database holding `present_tables` (see module doc)."""
    configs = copy.deepcopy(configs)
    for config in _part(configs, "databases/").values():
        config["sqlalchemy_uri"] = DATABASE_URI_TEMPLATE.format(path=published_path)
    datasets = _part(configs, "datasets/")
    tables_by_uuid = {config["uuid"]: config["table_name"] for config in datasets.values()}
    missing_datasets = {
        uuid for uuid, table in tables_by_uuid.items() if table not in present_tables
    }
    skipped = []
    kept_chart_uuids = []
    for path, chart in _part(configs, "charts/").items():
        dataset_uuid = chart.get("dataset_uuid")
        if dataset_uuid not in tables_by_uuid:
            raise BundleError(f"chart {path} refers to dataset {dataset_uuid}, not in datasets/")
        if dataset_uuid in missing_datasets:
            skipped.append(SkippedChart(chart["slice_name"], tables_by_uuid[dataset_uuid]))
            del configs[path]
        else:
            kept_chart_uuids.append(chart["uuid"])
    for path, config in datasets.items():
        if config["uuid"] in missing_datasets:
            del configs[path]
    charts = {c["uuid"]: c for c in _part(configs, "charts/").values()}
    for dashboard in _part(configs, "dashboards/").values():
        dashboard["position"] = fit_layout(dashboard.get("position") or {}, charts)
    tables = tuple(sorted(t for u, t in tables_by_uuid.items() if u not in missing_datasets))
    contents = {path: yaml.safe_dump(config, sort_keys=False) for path, config in configs.items()}
    return PreparedBundle(contents, tuple(skipped), tables)


def fit_layout(position: dict[str, Any], charts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`position` without charts not in `charts`, with a row for each chart it does not place."""
    position = copy.deepcopy(position)
    if not position:
        position = {
            "DASHBOARD_VERSION_KEY": "v2",
            "ROOT_ID": {"children": ["GRID_ID"], "id": "ROOT_ID", "type": "ROOT"},
            "GRID_ID": {"children": [], "id": "GRID_ID", "parents": ["ROOT_ID"], "type": "GRID"},
        }
    for node_id, node in list(position.items()):
        if _is_chart(node) and node["meta"].get("uuid") not in charts:
            _remove_node(position, node_id)
    placed = {n["meta"].get("uuid") for n in position.values() if _is_chart(n)}
    for uuid, chart in charts.items():
        if uuid not in placed:
            _append_row(position, uuid, chart["slice_name"])
    return position


def _is_chart(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") == "CHART"


def _remove_node(position: dict[str, Any], node_id: str) -> None:
    """Remove a node, and its row or column once that is empty."""
    node = position.pop(node_id)
    parent_id = (node.get("parents") or [None])[-1]
    parent = position.get(parent_id)
    if parent is None:
        return
    parent["children"] = [child for child in parent["children"] if child != node_id]
    if not parent["children"] and parent.get("type") in {"ROW", "COLUMN"}:
        _remove_node(position, parent_id)


def _append_row(position: dict[str, Any], uuid: str, name: str) -> None:
    row_id, chart_id = f"ROW-{uuid}", f"CHART-{uuid}"
    position["GRID_ID"]["children"].append(row_id)
    position[row_id] = {
        "children": [chart_id],
        "id": row_id,
        "meta": {"background": "BACKGROUND_TRANSPARENT"},
        "parents": ["ROOT_ID", "GRID_ID"],
        "type": "ROW",
    }
    position[chart_id] = {
        "children": [],
        "id": chart_id,
        "meta": {
            "chartId": 0,
            "height": NEW_CHART_HEIGHT,
            "sliceName": name,
            "uuid": uuid,
            "width": GRID_WIDTH,
        },
        "parents": ["ROOT_ID", "GRID_ID", row_id],
        "type": "CHART",
    }


def _part(configs: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {path: config for path, config in configs.items() if path.startswith(prefix)}
