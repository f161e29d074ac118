"""Apache Superset on the published mart, end to end: `c360 superset` provisions it on a freshly
built demo mart, serves it on 127.0.0.1, and a client logged in through Superset's REST API gets
every imported chart's figures equal to the mart's; writes are refused; a rebuild with
`c360 build` is served without a restart; a headless Chromium logged in sees the dashboard
without an error panel.

The expected figures are computed here from the mart's own rows with DuckDB, not from the
summary tables the charts read, so a wrong summary or a wrong chart query shows up. Every chart
of the bundle needs an entry in EXPECTED_FIGURES: a chart added without one fails the test.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import requests
import yaml
from conftest import PROJECT_DIR, Workspace, assert_ok

from customer360.superset import bundle

SUPERSET_VENV = PROJECT_DIR / ".venv-superset"
BUNDLE_DIR = PROJECT_DIR / "superset" / "dashboard"
needs_superset = pytest.mark.skipif(
    not (SUPERSET_VENV / "bin" / "superset").is_file(),
    reason=f"Superset is not installed ({SUPERSET_VENV} missing): bash scripts/install_superset.sh",
)
CHROMIUM = Path("/usr/bin/chromium")
CUSTOMERS = "1500"
ADMIN = {"C360_SUPERSET_ADMIN_USER": "c360admin", "C360_SUPERSET_ADMIN_PASSWORD": "not-a-secret-1"}
# A rebuild as of an earlier date changes every figure the charts show.
REBUILD_AS_OF_DATE = "2025-09-30"
SERVER_START_SECONDS = 180
EPOCH = date(1970, 1, 1)
MILLISECONDS_PER_DAY = 86_400_000
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)

# Per chart (slice_name): the figures computed from the mart with DuckDB, the columns that
# identify a row, and whether Superset's row order is part of the chart.
EXPECTED_FIGURES = {
    "Segment comparison": (
        """
        select
            customer_segment,
            count(*) as customers,
            count(*) / sum(count(*)) over () as share_of_customers,
            sum(revenue_12m) / sum(sum(revenue_12m)) over () as share_of_revenue_12m,
            sum(revenue_12m) as revenue_12m,
            avg(expected_annual_revenue) as mean_expected_annual_revenue,
            avg(estimated_customer_ltv) as mean_estimated_customer_ltv,
            avg(customer_health_score) as mean_customer_health_score,
            avg(churn_probability) as mean_churn_probability,
            avg(rfm_composite_score) as mean_rfm_composite_score,
            avg(monetary_bias) as mean_monetary_bias,
            sum(revenue_at_risk) as total_revenue_at_risk
        from customer360__customer_value_analysis
        group by customer_segment
        order by customers desc
        """,
        ("customer_segment",),
        True,
    ),
    "Revenue at risk by account owner": (
        """
        select
            coalesce(account_owner_id, 'unassigned') as portfolio_owner,
            sum(revenue_at_risk) as total_revenue_at_risk
        from customer360__customer_value_analysis
        group by portfolio_owner
        order by total_revenue_at_risk desc
        """,
        ("portfolio_owner",),
        False,  # ties in the sum may come in any order; the order is checked on the figure
    ),
    "Watchlist": (
        """
        select
            customer_id, customer_name, account_owner_id, customer_segment, rule_id, severity,
            route, reason, customer_tier, expected_annual_revenue, churn_probability,
            recommended_engagement_model
        from customer360__watchlist
        order by
            case severity when 'critical' then 1 when 'warning' then 2 else 3 end,
            expected_annual_revenue desc, customer_id, rule_id
        limit 5000
        """,
        ("customer_id", "rule_id"),
        True,
    ),
    "Change over time": (
        """
        select
            snapshot_date,
            customer_segment,
            avg(customer_health_score) as mean_customer_health_score,
            avg(churn_probability) as mean_churn_probability,
            avg(rfm_composite_score) as mean_rfm_composite_score
        from customer360__customer_score_history
        group by snapshot_date, customer_segment
        """,
        ("snapshot_date", "customer_segment"),
        False,
    ),
    "Forecast quality": (
        """
        select
            snapshot_date,
            forecast,
            roc_auc as snapshot_roc_auc,
            calibration_error as snapshot_calibration_error
        from customer360__forecast_evaluation
        where customer_segment = 'All' and forecast like 'churn%'
        """,
        ("snapshot_date", "forecast"),
        False,
    ),
    # Customers and money from the mart's own rows; load_index recomputed from the workload
    # against the mean of the owner's team.
    "Books of business": (
        """
        with portfolios as (
            select
                coalesce(account_owner_id, 'unassigned') as account_owner_id,
                count(*) as customers,
                sum(risk_adjusted_value) as risk_adjusted_value,
                sum(revenue_at_risk) as revenue_at_risk
            from customer360__customer_value_analysis
            group by all
        )
        select
            portfolios.account_owner_id,
            books.owner_name,
            books.team,
            portfolios.customers,
            portfolios.risk_adjusted_value,
            portfolios.revenue_at_risk,
            books.workload_hours_monthly,
            case when books.team is not null then books.workload_hours_monthly
                / nullif(avg(books.workload_hours_monthly) over (partition by books.team), 0)
            end as load_index
        from portfolios
        left join customer360__owner_book_of_business as books using (account_owner_id)
        order by portfolios.revenue_at_risk desc, portfolios.account_owner_id
        """,
        ("account_owner_id",),
        True,
    ),
}
NEW_CHARTS = {"Change over time", "Forecast quality", "Books of business"}


def bundle_chart_tables() -> dict[str, str]:
    """The table each chart of the committed bundle reads, by chart name."""
    configs = bundle.read_bundle(BUNDLE_DIR)
    tables = {c["uuid"]: c["table_name"] for p, c in configs.items() if p.startswith("datasets/")}
    return {
        c["slice_name"]: tables[c["dataset_uuid"]]
        for p, c in configs.items()
        if p.startswith("charts/")
    }


# A chart whose table is not published must be skipped, by name, and every chart checked.
CHART_TABLES = bundle_chart_tables()


@dataclass
class Superset:
    """A served Superset and a REST client logged in to it."""

    ws: Workspace
    base_url: str
    client: requests.Session
    provision_output: str

    def get(self, path: str) -> dict:
        response = self.client.get(self.base_url + path, timeout=120)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def chart_ids(self) -> dict[str, int]:
        charts = self.get("/api/v1/dashboard/customer360/charts")["result"]
        return {chart["slice_name"]: chart["id"] for chart in charts}

    def chart_rows(self, chart_id: int) -> list[dict]:
        """The chart's saved query run through the chart-data API (no cache is configured)."""
        (result,) = self.get(f"/api/v1/chart/{chart_id}/data/")["result"]
        assert result["status"] == "success", result
        return result["data"]

    def database_id(self) -> int:
        (database,) = self.get("/api/v1/database/")["result"]
        return database["id"]

    def run_sql(self, sql: str) -> requests.Response:
        return self.client.post(
            self.base_url + "/api/v1/sqllab/execute/",
            json={"database_id": self.database_id(), "sql": sql, "schema": "main"},
            timeout=120,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def superset_env(ws: Workspace) -> dict[str, str]:
    return {**ADMIN, "C360_SUPERSET_DIR": str(ws.root / "superset")}


def logged_in_client(base_url: str) -> requests.Session:
    client = requests.Session()
    login = client.post(
        base_url + "/api/v1/security/login",
        json={
            "username": ADMIN["C360_SUPERSET_ADMIN_USER"],
            "password": ADMIN["C360_SUPERSET_ADMIN_PASSWORD"],
            "provider": "db",
        },
        timeout=60,
    )
    assert login.status_code == 200, login.text
    client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    csrf = client.get(base_url + "/api/v1/security/csrf_token/", timeout=60)
    assert csrf.status_code == 200, csrf.text
    client.headers.update({"X-CSRFToken": csrf.json()["result"], "Referer": base_url})
    return client


def wait_until_healthy(base_url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"Superset exited {server.returncode}:\n{log.read_text()}"
        try:
            if requests.get(base_url + "/health", timeout=30).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still booting
            pass
        time.sleep(1)
    pytest.fail(f"Superset did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def superset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Superset]:
    ws = Workspace(tmp_path_factory.mktemp("superset"))
    assert_ok(ws.c360("generate", "--customers", CUSTOMERS, "--quiet"))
    assert_ok(ws.c360("build"))
    provisioned = ws.c360("superset", **superset_env(ws))
    assert_ok(provisioned)
    port = free_port()
    log = ws.root / "superset-serve.log"
    with log.open("w") as log_file:
        # `--serve` provisions again before serving: the second run must work on the first's.
        server = subprocess.Popen(
            [sys.executable, "-m", "customer360.cli", "superset", "--serve", "--port", str(port)],
            cwd=PROJECT_DIR,
            env=ws.env(**superset_env(ws)),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(base_url, server, log)
        yield Superset(ws, base_url, logged_in_client(base_url), provisioned.stdout)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def mart_figures(ws: Workspace, sql: str) -> list[dict]:
    with duckdb.connect(str(ws.published_path), read_only=True) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def published_tables(ws: Workspace) -> set[str]:
    with duckdb.connect(str(ws.published_path), read_only=True) as connection:
        rows = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    return {row[0] for row in rows}


def same_value(served: object, expected: object) -> bool:
    if isinstance(expected, date):  # served as epoch milliseconds, midnight UTC
        return served == (expected - EPOCH).days * MILLISECONDS_PER_DAY
    if isinstance(expected, Decimal | float) and served is not None:
        return math.isclose(float(served), float(expected), rel_tol=1e-9, abs_tol=1e-9)
    return served == expected


def assert_chart_matches_mart(superset: Superset, name: str, chart_id: int) -> list[dict]:
    sql, key, ordered = EXPECTED_FIGURES[name]
    expected = mart_figures(superset.ws, sql)
    served = as_served = superset.chart_rows(chart_id)
    assert expected, f"{name}: the mart gives no rows, so the check proves nothing"
    assert len(served) == len(expected), f"{name}: {len(served)} rows, {len(expected)} in the mart"
    if not ordered:
        served = sorted(served, key=lambda row: tuple(str(row[k]) for k in key))
        expected = sorted(expected, key=lambda row: tuple(str(row[k]) for k in key))
    for served_row, expected_row in zip(served, expected, strict=True):
        assert set(served_row) == set(expected_row), f"{name}: columns differ"
        wrong = {
            column: (served_row[column], value)
            for column, value in expected_row.items()
            if not same_value(served_row[column], value)
        }
        assert not wrong, f"{name}, row {[expected_row[k] for k in key]}: (served, mart) {wrong}"
    return as_served


def all_chart_figures(superset: Superset) -> dict[str, list[dict]]:
    return {
        name: assert_chart_matches_mart(superset, name, chart_id)
        for name, chart_id in superset.chart_ids().items()
    }


@needs_superset
def test_provisioning_imports_the_charts_whose_tables_are_published(superset: Superset) -> None:
    present = published_tables(superset.ws)
    charts = superset.chart_ids()
    unchecked = set(charts) - set(EXPECTED_FIGURES)
    assert not unchecked, f"charts without a check in EXPECTED_FIGURES: {sorted(unchecked)}"
    for name, table in CHART_TABLES.items():
        warning = f"warning: chart {name!r} skipped: table {table} is not in"
        if table in present:
            assert name in charts
            assert warning not in superset.provision_output
        else:
            assert name not in charts
            assert warning in superset.provision_output
    assert "Segment comparison" in charts and "Revenue at risk by account owner" in charts
    assert set(charts) >= NEW_CHARTS, "the history, forecast or books tables are not published"


@needs_superset
def test_every_chart_serves_the_mart_figures(superset: Superset) -> None:
    figures = all_chart_figures(superset)
    at_risk = [row["total_revenue_at_risk"] for row in figures["Revenue at risk by account owner"]]
    assert at_risk == sorted(at_risk, reverse=True), "owners are not shown largest first"


@needs_superset
def test_writes_through_superset_are_refused(superset: Superset) -> None:
    before = mart_figures(superset.ws, EXPECTED_FIGURES["Segment comparison"][0])
    writes = (
        "create table superset_was_here as select 1 as x",
        "delete from customer360__segment_summary",
    )
    # The database is registered with allow_dml off: SQL Lab refuses before running anything.
    for sql in writes:
        response = superset.run_sql(sql)
        assert response.status_code >= 400, f"{sql!r} was accepted: {response.text}"
        assert "DML" in response.text or "read-only" in response.text, response.text
    # An admin who switches DML on, or drops access_mode from the URI, still cannot write:
    # DuckDB opens the file read-only, forced by superset_config.py for every engine.
    database_id = superset.database_id()
    uri = f"duckdb:///{superset.ws.published_path}"
    for change in ({"allow_dml": True}, {"allow_dml": True, "sqlalchemy_uri": uri}):
        updated = superset.client.put(
            f"{superset.base_url}/api/v1/database/{database_id}", json=change, timeout=60
        )
        assert updated.status_code == 200, updated.text
        for sql in writes:
            response = superset.run_sql(sql)
            assert response.status_code >= 400, f"{sql!r} ran with {change}: {response.text}"
            assert "read-only" in response.text, response.text
    restored = superset.client.put(
        f"{superset.base_url}/api/v1/database/{database_id}",
        json={"allow_dml": False, "sqlalchemy_uri": f"{uri}?access_mode=read_only"},
        timeout=60,
    )
    assert restored.status_code == 200, restored.text
    assert "superset_was_here" not in published_tables(superset.ws)
    assert mart_figures(superset.ws, EXPECTED_FIGURES["Segment comparison"][0]) == before


@needs_superset
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium")
def test_dashboard_renders_in_chromium_without_an_error_panel(
    superset: Superset, tmp_path: Path
) -> None:
    charts = len(superset.chart_ids())
    page = asyncio.run(dashboard_in_chromium(superset.base_url, charts, tmp_path))
    assert page["holders"] == charts, page
    assert page["rendered"] == charts, f"not every chart drew: {page}"
    assert not page["alerts"], f"error panels on the dashboard: {page['alerts']}"
    assert "error" not in page["text"].lower(), page["text"]
    assert "Segment comparison" in page["text"] and "SMB" in page["text"]
    png = tmp_path / "dashboard.png"
    assert png.read_bytes().startswith(b"\x89PNG"), "the screenshot is not a PNG"
    assert png.stat().st_size > 20_000, "the screenshot is (nearly) blank"


@needs_superset
def test_rebuilt_mart_is_served_without_a_restart(superset: Superset) -> None:
    # Runs last in this module: it rebuilds the mart the other tests read.
    before = all_chart_figures(superset)
    assert_ok(superset.ws.c360("build", "--as-of-date", REBUILD_AS_OF_DATE))
    after = all_chart_figures(superset)  # each equal to the new mart, checked inside
    for name in before:
        assert after[name] != before[name], f"{name} still serves the previous mart's figures"


def test_superset_not_installed_is_one_clear_line(workspace: Workspace) -> None:
    result = workspace.c360(
        "superset", C360_SUPERSET_VENV=str(workspace.root / "no-venv"), **superset_env(workspace)
    )
    assert result.returncode == 2
    assert result.stdout.strip().splitlines() == [
        f"c360 superset: Superset is not installed ({workspace.root}/no-venv/bin/superset is "
        "missing); run `bash scripts/install_superset.sh`"
    ]
    assert "Traceback" not in result.stderr


@needs_superset
def test_bad_input_is_one_clear_line_each(workspace: Workspace) -> None:
    missing_database = workspace.c360("superset", **superset_env(workspace))
    assert missing_database.returncode == 2
    assert missing_database.stdout.strip() == (
        f"c360 superset: the published database {workspace.published_path} does not exist; "
        "run `c360 build` first (or set C360_PUBLISHED_PATH)"
    )
    with duckdb.connect(str(workspace.published_path)) as connection:
        connection.execute("create table customer360__customer_value_analysis as select 1 as x")
    no_credentials = workspace.c360(
        "superset", C360_SUPERSET_ADMIN_USER="", C360_SUPERSET_ADMIN_PASSWORD=""
    )
    assert no_credentials.returncode == 2
    assert no_credentials.stdout.strip() == (
        "c360 superset: admin credentials missing: set C360_SUPERSET_ADMIN_USER and "
        "C360_SUPERSET_ADMIN_PASSWORD (the Superset admin user to create or update)"
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        port_in_use = workspace.c360(
            "superset", "--serve", "--port", str(port), **superset_env(workspace)
        )
    assert port_in_use.returncode == 2
    assert port_in_use.stdout.strip().startswith(
        f"c360 superset: port {port} on 127.0.0.1 is in use"
    )
    assert port_in_use.stdout.strip().endswith("pick another with --port")
    for result in (missing_database, no_credentials, port_in_use):
        assert "Traceback" not in result.stdout + result.stderr
        assert len(result.stdout.strip().splitlines()) == 1


def dashboard_charts(prepared: bundle.PreparedBundle) -> dict[str, dict]:
    """The CHART nodes of the prepared dashboard's layout, by chart uuid."""
    (dashboard,) = [
        yaml.safe_load(text) for path, text in prepared.contents.items() if path.startswith("dash")
    ]
    nodes = dashboard["position"]
    charts = {
        n["meta"]["uuid"]: n
        for n in nodes.values()
        if isinstance(n, dict) and n.get("type") == "CHART"
    }
    for node in charts.values():
        assert node["id"] in nodes[node["parents"][-1]]["children"], f"{node['id']} is orphaned"
    return charts


def test_every_chart_of_the_bundle_has_its_figures_checked() -> None:
    unchecked = set(CHART_TABLES) - set(EXPECTED_FIGURES)
    assert not unchecked, f"add the expected figures of {sorted(unchecked)} to EXPECTED_FIGURES"
    assert {"Segment comparison", "Revenue at risk by account owner", "Watchlist"} <= set(
        CHART_TABLES
    )
    assert set(CHART_TABLES) >= NEW_CHARTS


def test_bundle_leaves_out_the_charts_whose_table_is_not_published(tmp_path: Path) -> None:
    configs = bundle.read_bundle(BUNDLE_DIR)
    published = tmp_path / "published.duckdb"
    tables = set(CHART_TABLES.values()) - {"customer360__watchlist"}
    prepared = bundle.prepare(configs, published, tables)
    assert prepared.skipped == (bundle.SkippedChart("Watchlist", "customer360__watchlist"),)
    assert not [path for path in prepared.contents if "watchlist" in path]
    (database,) = [
        yaml.safe_load(t) for p, t in prepared.contents.items() if p.startswith("databases/")
    ]
    assert database["sqlalchemy_uri"] == f"duckdb:///{published}?access_mode=read_only"
    assert database["allow_dml"] is False
    kept = {
        yaml.safe_load(t)["uuid"] for p, t in prepared.contents.items() if p.startswith("charts/")
    }
    assert set(dashboard_charts(prepared)) == kept
    layout = yaml.safe_load(prepared.contents["dashboards/customer360.yaml"])["position"]
    assert "ROW-watchlist" not in layout and "ROW-watchlist" not in layout["GRID_ID"]["children"]
    everything = bundle.prepare(configs, published, set(CHART_TABLES.values()))
    assert everything.skipped == () and len(dashboard_charts(everything)) == len(CHART_TABLES)


def test_a_chart_file_alone_puts_the_chart_on_the_dashboard(tmp_path: Path) -> None:
    configs = bundle.read_bundle(BUNDLE_DIR)
    new_chart = {
        **configs["charts/segment_comparison.yaml"],
        "slice_name": "Segment comparison, again",
        "uuid": "2f1e3c4d-0000-4000-8000-000000000001",
    }
    configs["charts/segment_comparison_again.yaml"] = new_chart
    prepared = bundle.prepare(configs, tmp_path / "p.duckdb", set(CHART_TABLES.values()))
    placed = dashboard_charts(prepared)[new_chart["uuid"]]
    layout = yaml.safe_load(prepared.contents["dashboards/customer360.yaml"])["position"]
    assert layout["GRID_ID"]["children"][-1] == placed["parents"][-1]
    assert placed["meta"]["sliceName"] == "Segment comparison, again"
    configs["charts/orphan.yaml"] = {**new_chart, "dataset_uuid": "no-such-dataset"}
    with pytest.raises(bundle.BundleError, match=r"orphan\.yaml refers to dataset no-such-dataset"):
        bundle.prepare(configs, tmp_path / "p.duckdb", set(CHART_TABLES.values()))


async def dashboard_in_chromium(base_url: str, charts: int, tmp_path: Path) -> dict:
    """Log in through Superset's login form in headless Chromium, open the dashboard, wait
    until every chart has drawn, screenshot it to tmp_path/dashboard.png, return what it shows.

    Chromium is driven over the DevTools protocol through choreographer (kaleido's browser
    driver, in the project's venv), with a fresh profile under tmp_path.
    """
    import choreographer
    from choreographer.browsers import Chromium

    class TestChromium(Chromium):
        def get_cli(self) -> list[str]:
            cli = list(super().get_cli())
            return cli + [flag for flag in CHROMIUM_FLAGS if flag not in cli]

    profile_parent = tmp_path / "chromium"
    profile_parent.mkdir()
    browser = await choreographer.Browser(
        path=str(CHROMIUM), browser_cls=TestChromium, headless=True, tmp_dir=str(profile_parent)
    )
    try:
        tab = await browser.create_tab("about:blank")
        await tab.send_command("Page.enable")
        await tab.send_command(
            "Emulation.setDeviceMetricsOverride",
            params={"width": 1600, "height": 1600, "deviceScaleFactor": 1, "mobile": False},
        )
        await navigate(tab, f"{base_url}/login/")
        landed = await evaluate(tab, login_script())
        assert "/login" not in landed, f"the login form did not log in: {landed}"
        await navigate(tab, f"{base_url}/superset/dashboard/customer360/?standalone=1")
        page = await wait_for_charts(tab, charts)
        (tmp_path / "dashboard.png").write_bytes(await settled_screenshot(tab))
        return page
    finally:
        await browser.close()


def login_script() -> str:
    """Post the login form as the page would, with its CSRF token; returns the landing URL."""
    fields = {
        "username": ADMIN["C360_SUPERSET_ADMIN_USER"],
        "password": ADMIN["C360_SUPERSET_ADMIN_PASSWORD"],
    }
    return f"""(async () => {{
        const body = new URLSearchParams({json.dumps(fields)});
        body.append('csrf_token', document.getElementById('csrf_token').value);
        const response = await fetch('/login/', {{method: 'POST', body}});
        return response.url;
    }})()"""


PAGE_STATE_SCRIPT = """JSON.stringify({
    holders: document.querySelectorAll('.dashboard-component-chart-holder').length,
    rendered: [...document.querySelectorAll('.dashboard-component-chart-holder')]
        .filter(holder => holder.querySelector(
            '[data-test="slice-container"] :is(canvas, svg, tbody tr)')).length,
    loading: document.querySelectorAll(
        '.loading, .ant-skeleton, [aria-label="loading"], [data-test="loading-indicator"]').length,
    alerts: [...document.querySelectorAll('[role="alert"], .ant-alert-error, .alert-danger')]
        .map(node => node.innerText),
    text: document.body.innerText,
})"""


async def wait_for_charts(tab, charts: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    page: dict = {}
    while time.monotonic() < deadline:
        page = json.loads(await evaluate(tab, PAGE_STATE_SCRIPT))
        if page["alerts"] or (page["rendered"] >= charts and not page["loading"]):
            return page
        await asyncio.sleep(1)
    return page


async def settled_screenshot(tab, attempts: int = 20) -> bytes:
    """A PNG of the page once two screenshots a second apart agree (ECharts animates bars in)."""
    previous = b""
    for _ in range(attempts):
        shot = await tab.send_command("Page.captureScreenshot", params={"format": "png"})
        current = base64.b64decode(shot["result"]["data"])
        if current == previous:
            return current
        previous = current
        await asyncio.sleep(1)
    return previous


async def navigate(tab, url: str) -> None:
    loaded = tab.subscribe_once("Page.loadEventFired")
    await tab.send_command("Page.navigate", params={"url": url})
    await asyncio.wait_for(loaded, 60)


async def evaluate(tab, expression: str):
    response = await tab.send_command(
        "Runtime.evaluate",
        params={"expression": expression, "awaitPromise": True, "returnByValue": True},
    )
    result = response["result"]
    assert "exceptionDetails" not in result, result
    return result["result"].get("value")
