"""`c360 report` on the demo build: every chart present, its numbers equal to the mart's, drawn by
a real headless Chromium without console errors, PNGs written, and the HTML still written (with
the reason) when kaleido cannot start Chromium.

The expected figures are computed here from the mart's own rows (not from the summary tables the
report reads), so a wrong aggregate in the report or in a summary model shows up.
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import Workspace, assert_ok
from plotly.offline import get_plotlyjs

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is absent: install Debian's chromium to run the browser tests",
)
CHART_IDS = [
    "segment-comparison",
    "rfm-profile",
    "health-vs-churn",
    "lifecycle-mix",
    "engagement-mix",
    "correlation-heatmap",
    "revenue-at-risk-by-owner",
    "trends",
    "forecast-churn-quality",
    "forecast-churn-calibration",
    "forecast-revenue",
    "watchlist-by-rule",
    "books-of-business",
]
SEGMENTS = ["High-Value Enterprise", "Enterprise", "SMB"]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def mart_database(ws: Workspace) -> Path:
    # The published file once `c360 build` publishes; the work database of a build that did not
    # publish (the report reads the same tables from either).
    return ws.published_path if ws.published_path.exists() else ws.duckdb_path


@dataclass(frozen=True)
class ReportRun:
    stdout: str
    html: str
    reports_dir: Path
    mart: pd.DataFrame
    diagnostics: pd.DataFrame


@pytest.fixture(scope="module")
def report_run(demo_build: Workspace, tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    reports_dir = tmp_path_factory.mktemp("report")
    database = mart_database(demo_build)
    result = demo_build.c360(
        "report", "--database", str(database), C360_REPORTS_DIR=str(reports_dir)
    )
    assert_ok(result)
    with duckdb.connect(str(database), read_only=True) as con:
        mart = con.sql("select * from customer360__customer_value_analysis").df()
        diagnostics = con.sql("select * from customer360__correlation_diagnostics").df()
    html = (reports_dir / "customer_value_report.html").read_text(encoding="utf-8")
    return ReportRun(result.stdout, html, reports_dir, mart, diagnostics)


def chart_specs(html: str) -> dict[str, dict]:
    pattern = (
        r'<script type="application/json" class="chart-spec" data-chart="([^"]+)">(.*?)</script>'
    )
    return {chart_id: json.loads(spec) for chart_id, spec in re.findall(pattern, html, re.S)}


def traces_by_name(spec: dict) -> dict[str, dict]:
    return {trace["name"]: trace for trace in spec["data"]}


def segment_means(mart: pd.DataFrame, column: str) -> pd.Series:
    return mart.groupby("customer_segment")[column].apply(lambda s: s.astype(float).mean())


def test_every_chart_is_in_the_html_with_plotly_embedded_once(report_run: ReportRun) -> None:
    specs = chart_specs(report_run.html)
    assert list(specs) == CHART_IDS
    for chart_id in CHART_IDS:
        assert f'<div class="chart" id="{chart_id}"' in report_run.html
        assert specs[chart_id]["data"], chart_id
    assert report_run.html.count(get_plotlyjs()) == 1
    # Offline: no script or stylesheet is fetched from anywhere.
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", report_run.html)
    assert f"wrote {report_run.reports_dir / 'customer_value_report.html'}" in report_run.stdout


def test_segment_comparison_matches_the_mart(report_run: ReportRun) -> None:
    mart = report_run.mart
    traces = traces_by_name(chart_specs(report_run.html)["segment-comparison"])
    counts = mart["customer_segment"].value_counts()
    revenue = mart.groupby("customer_segment")["revenue_12m"].sum().astype(float)
    expected = {
        "Share of customers": counts / len(mart),
        "Mean LTV ($)": segment_means(mart, "estimated_customer_ltv"),
        "Mean expected annual revenue ($)": segment_means(mart, "expected_annual_revenue"),
        "Mean health score (1-5)": segment_means(mart, "customer_health_score"),
        "Mean churn probability": segment_means(mart, "churn_probability"),
        "Mean composite RFM (1-5)": segment_means(mart, "rfm_composite_score"),
        "Mean monetary bias (M - (R+F)/2)": segment_means(mart, "monetary_bias"),
        "Share of revenue, last 12 months": revenue / float(mart["revenue_12m"].sum()),
    }
    assert set(traces) == set(expected)
    for name, values in expected.items():
        trace = traces[name]
        assert trace["customdata"] == SEGMENTS
        assert trace["y"] == pytest.approx([values[s] for s in SEGMENTS], rel=1e-9), name


def test_rfm_profile_matches_the_mart(report_run: ReportRun) -> None:
    traces = traces_by_name(chart_specs(report_run.html)["rfm-profile"])
    columns = ["recency_score", "frequency_score", "monetary_score", "rfm_composite_score"]
    for segment in SEGMENTS:
        rows = report_run.mart[report_run.mart["customer_segment"] == segment]
        expected = [rows[c].astype(float).mean() for c in columns]
        assert traces[segment]["y"] == pytest.approx(expected, rel=1e-9)


def test_health_vs_churn_matches_the_mart(report_run: ReportRun) -> None:
    traces = traces_by_name(chart_specs(report_run.html)["health-vs-churn"])
    mart = report_run.mart
    for segment in SEGMENTS:
        rows = mart[mart["customer_segment"] == segment]
        mean = traces[f"{segment} (mean)"]
        assert mean["x"] == pytest.approx([rows["customer_health_score"].mean()], rel=1e-9)
        assert mean["y"] == pytest.approx([rows["churn_probability"].mean()], rel=1e-9)
        points = traces[f"{segment} (customers)"]
        assert len(points["x"]) == min(len(rows), 1500)
        # Every plotted point is a real customer's (health, churn) pair of that segment.
        real = set(zip(rows["customer_health_score"], rows["churn_probability"], strict=True))
        assert set(zip(points["x"], points["y"], strict=True)) <= real


@pytest.mark.parametrize(
    ("chart_id", "dimension"),
    [("lifecycle-mix", "lifecycle_stage"), ("engagement-mix", "recommended_engagement_model")],
)
def test_mix_charts_match_the_mart(report_run: ReportRun, chart_id: str, dimension: str) -> None:
    mart = report_run.mart
    for trace in chart_specs(report_run.html)[chart_id]["data"]:
        for segment, share in zip(trace["y"], trace["x"], strict=True):
            rows = mart if segment == "All" else mart[mart["customer_segment"] == segment]
            expected = (rows[dimension] == trace["name"]).mean()
            assert share == pytest.approx(expected, abs=1e-12), (segment, trace["name"])


def test_correlation_heatmap_matches_the_diagnostics(report_run: ReportRun) -> None:
    diagnostics = report_run.diagnostics.set_index(["segment", "x_column", "y_column"])
    labels = {"HVE": "High-Value Enterprise"}
    for trace in chart_specs(report_run.html)["correlation-heatmap"]["data"]:
        segments = [labels.get(x, x) for x in trace["x"]]
        assert segments == ["All", *SEGMENTS]
        for pair_label, z_row in zip(trace["y"], trace["z"], strict=True):
            x_column, y_column = pair_label.split(" \u00d7 ")
            expected = [diagnostics.loc[(s, x_column, y_column), trace["name"]] for s in segments]
            assert z_row == pytest.approx(expected, rel=1e-12), (trace["name"], pair_label)
        assert len(trace["y"]) == len(diagnostics) // 4


def test_revenue_at_risk_by_owner_matches_the_mart(report_run: ReportRun) -> None:
    mart = report_run.mart.assign(
        owner=report_run.mart["account_owner_id"].fillna("unassigned"),
        at_risk=report_run.mart["revenue_at_risk"].astype(float),
    )
    totals = mart.groupby("owner")["at_risk"].sum()
    top = totals.sort_values(ascending=False).head(15)
    traces = traces_by_name(chart_specs(report_run.html)["revenue-at-risk-by-owner"])
    assert traces["Owner total"]["y"] == list(top.index)
    assert traces["Owner total"]["x"] == pytest.approx(list(top), rel=1e-9)
    by_segment = mart.groupby(["owner", "customer_segment"])["at_risk"].sum()
    for segment in SEGMENTS:
        expected = [by_segment.get((owner, segment), 0.0) for owner in top.index]
        assert traces[segment]["x"] == pytest.approx(expected, rel=1e-9, abs=1e-6)


def narrative(html: str) -> dict[str, tuple[float, str]]:
    items = re.findall(r'<li data-figure="([^"]+)" data-value="([^"]+)">(.*?)</li>', html)
    return {key: (float(value), text) for key, value, text in items}


def test_narrative_figures_match_the_mart(report_run: ReportRun) -> None:
    mart = report_run.mart
    figures = narrative(report_run.html)
    hve = mart[mart["customer_segment"] == "High-Value Enterprise"]
    smb = mart[mart["customer_segment"] == "SMB"]
    ltv = "estimated_customer_ltv"
    expected = {
        "customers": len(mart),
        "hve_customers": len(hve),
        "hve_smb_ltv_ratio": hve[ltv].astype(float).mean() / smb[ltv].astype(float).mean(),
        "hve_churn": hve["churn_probability"].mean(),
        "hve_rfm": hve["rfm_composite_score"].mean(),
        "smb_dormant_share": (smb["lifecycle_stage"] == "Dormant").mean(),
        "revenue_at_risk": mart["revenue_at_risk"].astype(float).sum(),
    }
    for key, value in expected.items():
        assert figures[key][0] == pytest.approx(value, rel=1e-9), key
    assert f"{len(mart):,} customers as of" in figures["customers"][1]
    assert f"{len(hve):,} High-Value Enterprise" in figures["hve_customers"][1]
    assert f"{expected['smb_dormant_share']:.1%} of SMB" in figures["smb_dormant_share"][1]
    assert f"${expected['revenue_at_risk']:,.0f}" in figures["revenue_at_risk"][1]


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@needs_chromium
def test_a_png_per_chart(report_run: ReportRun) -> None:
    specs = chart_specs(report_run.html)
    for chart_id in CHART_IDS:
        path = report_run.reports_dir / "charts" / f"{chart_id}.png"
        assert path.stat().st_size > 30_000, f"{path} looks empty"
        # 1200 px wide at scale 1.5, as tall as the chart in the page.
        assert png_size(path) == (1800, int(specs[chart_id]["layout"]["height"] * 1.5))
    assert f"wrote {len(CHART_IDS)} PNG charts" in report_run.stdout


@needs_chromium
def test_the_page_draws_every_chart_in_chromium(report_run: ReportRun, tmp_path: Path) -> None:
    page = report_run.reports_dir / "customer_value_report.html"
    result = subprocess.run(
        [
            str(CHROMIUM),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            # Console messages of the page (errors and uncaught exceptions) go to stderr.
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=20000",
            "--window-size=1280,2000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if re.search(r"CONSOLE[(:]", line)]
    assert console == [], "\n".join(console)
    dom = result.stdout
    for chart_id in CHART_IDS:
        start = dom.index(f'id="{chart_id}"')
        end = dom.index('class="chart-spec"', start)
        drawn = dom[start:end].count('class="main-svg"')
        assert drawn >= 2, f"{chart_id}: {drawn} plotly SVG layers drawn"


def test_without_chromium_the_html_is_still_written(demo_build: Workspace, tmp_path: Path) -> None:
    # kaleido looks for the browser at BROWSER_PATH first; a missing file makes it fail for real.
    result = demo_build.c360(
        "report",
        "--database",
        str(mart_database(demo_build)),
        C360_REPORTS_DIR=str(tmp_path),
        BROWSER_PATH=str(tmp_path / "no-such-chromium"),
    )
    assert_ok(result)
    assert (tmp_path / "customer_value_report.html").stat().st_size > 1_000_000
    assert "PNG charts skipped: RuntimeError: Kaleido requires Google Chrome" in result.stdout
    assert "kaleido needs Chromium" in result.stdout
    assert list(tmp_path.glob("charts/*.png")) == []


def test_a_missing_database_is_named(workspace: Workspace) -> None:
    missing = workspace.root / "nothing.duckdb"
    result = workspace.c360("report", "--database", str(missing))
    assert result.returncode == 2
    assert f"database {missing} does not exist" in result.stdout
    assert not missing.exists()
