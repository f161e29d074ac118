"""The watchlist and the books of business on a real demo build: rules, routes, sums, the
watchlist audience of `c360 export`, the semantic layer's metrics and the report's sections.

The rules are read from seeds/watchlist_rules.csv and evaluated here in Python on the published
mart, so a change of threshold in the seed changes both sides alike.
"""

from __future__ import annotations

import csv
import hashlib
import json
import operator
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import PROJECT_DIR, Workspace, assert_ok
from test_export import Receiver

SEED = PROJECT_DIR / "seeds" / "watchlist_rules.csv"
# The var's value as the project sets it, not repeated here.
SMB_HUMAN_ROUTE_TOP_PCT = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"][
    "smb_human_route_top_pct"
]
COMPARISONS = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    "!=": operator.ne,
}
SEGMENTS = ("High-Value Enterprise", "Enterprise", "SMB")
WATCHLIST_COLUMNS = [
    "idempotency_key",
    "as_of_date",
    "customer_id",
    "customer_name",
    "account_owner_id",
    "customer_segment",
    "customer_tier",
    "rule_id",
    "severity",
    "route",
    "reason",
    "expected_annual_revenue",
    "churn_probability",
    "recommended_engagement_model",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("watchlist"))
    assert_ok(ws.c360("generate", "--customers", "1500", "--quiet"))
    assert_ok(ws.c360("build"))
    return ws


def rows_of(ws: Workspace, sql: str) -> list[dict]:
    with duckdb.connect(str(ws.published_path), read_only=True) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def seed_rules() -> list[dict[str, str]]:
    with SEED.open(newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["is_enabled"].lower() == "true"]


def metric_value(customer: dict, metric: str) -> float | None:
    """A metric as the watchlist compares it: a double, a boolean as 1 or 0."""
    value = customer[metric]
    return None if value is None else float(value)


def test_mart_rules_fire_exactly_where_the_seed_says(built: Workspace) -> None:
    mart = rows_of(built, "select * from customer360__customer_value_analysis")
    mart_metrics = set(mart[0])
    rules = [rule for rule in seed_rules() if rule["metric"] in mart_metrics]
    assert {rule["rule_id"] for rule in rules} >= {
        "hve_monetary_bias_high",
        "hve_rf_declining_3m",
        "smb_rf_score_drop",
        "smb_inactive_45d",
    }
    expected = set()
    for customer in mart:
        for rule in rules:
            if rule["customer_segment"] not in ("all", customer["customer_segment"]):
                continue
            value = metric_value(customer, rule["metric"])
            compare = COMPARISONS[rule["comparison"]]
            if value is not None and compare(value, float(rule["threshold"])):
                expected.add((customer["customer_id"], rule["rule_id"]))
    rule_ids = ", ".join(f"'{rule_id}'" for rule_id in {rule["rule_id"] for rule in rules})
    actual = {
        (row["customer_id"], row["rule_id"])
        for row in rows_of(
            built, f"select * from customer360__watchlist where rule_id in ({rule_ids})"
        )
    }
    assert actual == expected
    assert len(actual) > 0


def test_routes_follow_segment_and_the_top_smb_share(built: Workspace) -> None:
    mart = rows_of(
        built,
        "select customer_id, customer_segment, expected_annual_revenue "
        "from customer360__customer_value_analysis",
    )
    smb = [row["expected_annual_revenue"] for row in mart if row["customer_segment"] == "SMB"]
    segment = {row["customer_id"]: row["customer_segment"] for row in mart}
    revenue = {row["customer_id"]: row["expected_annual_revenue"] for row in mart}
    watchlist = rows_of(built, "select customer_id, route from customer360__watchlist")
    for row in watchlist:
        if segment[row["customer_id"]] != "SMB":
            assert row["route"] == "human"
            continue
        at_or_above = sum(1 for value in smb if value >= revenue[row["customer_id"]])
        human = at_or_above * 100 <= SMB_HUMAN_ROUTE_TOP_PCT * len(smb)
        assert row["route"] == ("human" if human else "automated")
    routes = {row["route"] for row in watchlist if segment[row["customer_id"]] == "SMB"}
    assert routes == {"human", "automated"}


def test_books_sum_to_the_mart_to_the_cent(built: Workspace) -> None:
    mart = rows_of(built, "select * from customer360__customer_value_analysis")
    expected: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in mart:
        book = expected[row["account_owner_id"] or "unassigned"]
        book["customers"] += 1
        for column in ("revenue_12m", "expected_annual_revenue", "risk_adjusted_value"):
            book[column] += row[column]
        book["revenue_at_risk"] += row["revenue_at_risk"]
    books = {
        row["account_owner_id"]: row
        for row in rows_of(built, "select * from customer360__owner_book_of_business")
    }
    assert set(books) == set(expected)
    for owner, sums in expected.items():
        for column, value in sums.items():
            assert books[owner][column] == value, (owner, column)
    assert books["unassigned"]["owner_name"] is None
    assert books["unassigned"]["load_index"] is None
    teams = defaultdict(list)
    for book in books.values():
        if book["team"] is not None:
            teams[book["team"]].append(book)
    for members in teams.values():
        mean = sum(book["workload_hours_monthly"] for book in members) / len(members)
        for book in members:
            assert book["load_index"] == pytest.approx(book["workload_hours_monthly"] / mean)


def watchlist_key(row: dict) -> str:
    fields = ["watchlist", row["customer_id"], row["rule_id"], str(row["as_of_date"])]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def test_export_the_watchlist_filtered_as_json_lines(built: Workspace, tmp_path: Path) -> None:
    result = built.c360(
        "export",
        "--audience",
        "watchlist",
        "--format",
        "jsonl",
        "--severity",
        "warning",
        "--severity",
        "critical",
        "--segment",
        "SMB",
        "--out",
        str(tmp_path),
    )
    assert_ok(result)
    expected = rows_of(
        built,
        "select * from customer360__watchlist where severity in ('warning', 'critical') "
        "and customer_segment = 'SMB' order by customer_id, rule_id",
    )
    lines = (tmp_path / "watchlist.jsonl").read_text().splitlines()
    exported = [json.loads(line) for line in lines]
    assert len(exported) == len(expected) > 0
    assert list(exported[0]) == WATCHLIST_COLUMNS
    for row, want in zip(exported, expected, strict=True):
        assert row["idempotency_key"] == watchlist_key(want)
        assert (row["customer_id"], row["rule_id"], row["reason"]) == (
            want["customer_id"],
            want["rule_id"],
            want["reason"],
        )
    assert f"{len(expected):,} watchlist rows in 1 file" in result.stdout


def test_export_rejects_an_unknown_rule_in_one_line(built: Workspace) -> None:
    result = built.c360("export", "--audience", "watchlist", "--rule", "no_such_rule")
    assert result.returncode == 2
    assert result.stderr.startswith("c360 export: unknown rule 'no_such_rule' for audience")
    assert len(result.stderr.splitlines()) == 1


def test_push_the_watchlist_with_one_key_per_customer_rule_and_date(built: Workspace) -> None:
    receiver = Receiver([503])
    receiver.thread.start()
    try:
        result = built.c360(
            "export",
            "--audience",
            "watchlist",
            "--url",
            receiver.base_url + "/tasks",
            "--batch-size",
            "100",
            "--backoff-seconds",
            "0.01",
        )
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
    assert_ok(result)
    expected = {
        watchlist_key(row) for row in rows_of(built, "select * from customer360__watchlist")
    }
    assert set(receiver.store) == expected
    assert len(receiver.accepted) == len(expected)


# --- semantic layer ---------------------------------------------------------------------------


def test_metricflow_watchlist_and_coverage_metrics_match_the_tables(
    built: Workspace, tmp_path: Path
) -> None:
    pytest.importorskip("dbt_metricflow")
    from test_semantic_layer import NOT_LINKED, mf

    project = tmp_path / "mf_project"
    project.mkdir()
    for item in PROJECT_DIR.iterdir():
        if item.name not in NOT_LINKED:
            (project / item.name).symlink_to(item)
    (project / "target").mkdir()
    shutil.copy(built.target_dir / "semantic_manifest.json", project / "target")
    # mf reads the work database: the tables the semantic models name.
    by_rule = tmp_path / "by_rule.csv"
    mf(
        built,
        project,
        "query",
        "--metrics",
        "watchlist_customers,watchlist_rows",
        "--group-by",
        "watchlist_row__rule_id,watchlist_row__severity",
        "--csv",
        str(by_rule),
    )
    with by_rule.open() as handle:
        queried = {
            (row["watchlist_row__rule_id"], row["watchlist_row__severity"]): int(
                row["watchlist_customers"]
            )
            for row in csv.DictReader(handle)
        }
    expected = {
        (row["rule_id"], row["severity"]): row["customers"]
        for row in rows_of(
            built,
            "select rule_id, severity, count(distinct customer_id) as customers "
            "from customer360__watchlist group by all",
        )
    }
    assert queried == expected
    by_owner = tmp_path / "by_owner.csv"
    mf(
        built,
        project,
        "query",
        "--metrics",
        "risk_adjusted_coverage",
        "--group-by",
        "account_owner",
        "--csv",
        str(by_owner),
    )
    with by_owner.open() as handle:
        coverage = {
            row["account_owner"]: float(row["risk_adjusted_coverage"])
            for row in csv.DictReader(handle)
        }
    books = rows_of(
        built,
        "select account_owner_id, risk_adjusted_value from customer360__owner_book_of_business",
    )
    assert coverage == {
        row["account_owner_id"]: pytest.approx(float(row["risk_adjusted_value"])) for row in books
    }


# --- report -----------------------------------------------------------------------------------


def test_report_shows_the_watchlist_and_the_books_and_escapes_text(
    built: Workspace, tmp_path: Path
) -> None:
    database = tmp_path / "published_copy.duckdb"
    shutil.copy(built.published_path, database)
    hostile = "<script>alert('x')</script> & Co"
    with duckdb.connect(str(database)) as connection:
        top = connection.execute(
            "select customer_id from customer360__watchlist "
            "order by expected_annual_revenue desc, customer_id, rule_id limit 1"
        ).fetchall()[0][0]
        connection.execute(
            "update customer360__watchlist set customer_name = ?, reason = ? where customer_id = ?",
            [hostile, hostile, top],
        )
    result = built.c360("report", "--no-png", "--database", str(database))
    assert_ok(result)
    page = (built.reports_dir / "customer_value_report.html").read_text()
    for section in (
        "watchlist-by-rule",
        "books-of-business",
        "watchlist-top",
        "books-human-owners",
    ):
        assert f'id="section-{section}"' in page
    assert hostile not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in page
    table = page.split('id="section-watchlist-top"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 25
