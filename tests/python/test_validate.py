"""`c360 validate`: the Great Expectations suites pass on the demo build and fail, readably, on
deliberately broken copies of its mart (real Great Expectations, real DuckDB files)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
from conftest import PROJECT_DIR, Workspace, assert_ok

from customer360.validate import RuleVars, validate_mart

MART = "customer360__customer_value_analysis"


def mart_database(ws: Workspace) -> Path:
    # The published file once `c360 build` publishes; the work database of a build that did not
    # publish (the mart table is the same in both).
    return ws.published_path if ws.published_path.exists() else ws.duckdb_path


def broken_copy(ws: Workspace, target: Path, *statements: str) -> Path:
    """A copy of the demo mart database with `statements` applied to it."""
    shutil.copyfile(mart_database(ws), target)
    with duckdb.connect(str(target)) as con:
        for statement in statements:
            con.execute(statement)
        con.execute("checkpoint")
    return target


def customers(ws: Workspace) -> int:
    with duckdb.connect(str(mart_database(ws)), read_only=True) as con:
        return con.sql(f"select count(*) from {MART}").fetchall()[0][0]


def test_passes_on_the_demo_build(demo_build: Workspace, tmp_path: Path) -> None:
    result = demo_build.c360(
        "validate", "--database", str(mart_database(demo_build)), C360_REPORTS_DIR=str(tmp_path)
    )
    assert_ok(result)
    assert "expectations passed on" in result.stdout
    assert "FAILED" not in result.stdout
    # The row count was checked against the publication's accepted customers, not skipped.
    assert "row count not checked" not in result.stdout
    index = tmp_path / "data_docs" / "index.html"
    assert f"Data Docs: {index}" in result.stdout
    assert "note: rule vars from the publication row" in result.stdout
    assert index.is_file()
    # One validation page per suite; the mart's states the row count it required.
    pages = {p.name: p for p in (tmp_path / "data_docs" / "validations").rglob("*.html")}
    assert set(pages) == {
        "customer360_mart-customer360_mart.html",
        "customer360_mart_profile-customer360_mart_profile.html",
    }
    mart_page = pages["customer360_mart-customer360_mart.html"].read_text(encoding="utf-8")
    assert "Must have exactly" in mart_page
    assert str(customers(demo_build)) in mart_page


def test_a_score_out_of_range_fails_with_a_readable_summary(
    demo_build: Workspace, tmp_path: Path
) -> None:
    with duckdb.connect(str(mart_database(demo_build)), read_only=True) as con:
        customer_id = con.sql(f"select min(customer_id) from {MART}").fetchall()[0][0]
    database = broken_copy(
        demo_build,
        tmp_path / "broken.duckdb",
        f"update {MART} set recency_score = 9 where customer_id = '{customer_id}'",
    )
    result = demo_build.c360(
        "validate", "--database", str(database), C360_REPORTS_DIR=str(tmp_path)
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "FAILED customer360_mart: expect_column_values_to_be_in_set column recency_score: "
        f"1 of {customers(demo_build):,} rows unexpected (0.02%), e.g. customer_id "
        f"{customer_id} (9); expected one of 1, 2, 3, 4, 5"
    ) in result.stdout
    # The same customer moves the score shares a little, not out of their bounds: one failure.
    assert result.stdout.count("FAILED customer360") == 1
    assert re.search(r"c360 validate: 1 of \d+ expectations FAILED on ", result.stdout)
    assert (tmp_path / "data_docs" / "index.html").is_file()


def test_broken_rules_and_scoring_are_each_caught(demo_build: Workspace, tmp_path: Path) -> None:
    total = customers(demo_build)
    database = broken_copy(
        demo_build,
        tmp_path / "broken.duckdb",
        # A lost customer: the row count no longer equals the accepted customers.
        f"delete from {MART} where customer_id = (select max(customer_id) from {MART})",
        # An HVE customer demoted in the flag only: the HVE rule and then the segment rule break.
        f"""update {MART} set is_high_value_enterprise = false
            where customer_id = (select min(customer_id) from {MART}
                                 where customer_segment = 'High-Value Enterprise')""",
        # A reversed monetary score (5 for the lowest spend): "higher is better" no longer holds.
        f"update {MART} set monetary_score = 6 - monetary_score where frequency > 0",
        # Recency shifted up one quintile: nobody ranked keeps score 1.
        f"update {MART} set recency_score = least(recency_score + 1, 5) where frequency > 0",
        # A churn model gone wrong for SMB: below the enterprise segments.
        f"update {MART} set churn_probability = 0.01 where customer_segment = 'SMB'",
    )
    outcome = validate_mart(
        database, tmp_path / "reports", RuleVars.from_project(PROJECT_DIR), PROJECT_DIR
    )
    failed = {(f.suite, f.expectation, f.column): f.observed for f in outcome.failures}
    mart, profile = "customer360_mart", "customer360_mart_profile"
    pair = "expect_column_pair_values_a_to_be_greater_than_b"
    assert set(failed) == {
        (mart, "expect_table_row_count_to_equal", None),
        (mart, "expect_column_values_to_be_null", "hve_rule_violation"),
        (mart, "expect_column_values_to_be_null", "segment_rule_violation"),
        (profile, "expect_column_values_to_be_between", "recency_score_1_share"),
        (profile, "expect_column_values_to_be_between", "recency_score_5_share"),
        (profile, pair, "mean_monetary_at_monetary_score_5, mean_monetary_at_monetary_score_1"),
        (profile, pair, "mean_churn_probability_smb, mean_churn_probability_hve"),
        (profile, pair, "mean_churn_probability_smb, mean_churn_probability_enterprise"),
    }
    assert failed[(mart, "expect_table_row_count_to_equal", None)] == (
        f"observed {total - 1:,}; expected {total:,}"
    )
    hve = failed[(mart, "expect_column_values_to_be_null", "hve_rule_violation")]
    assert hve.startswith(f"1 of {total - 1:,} rows unexpected")
    assert "is_high_value_enterprise False" in hve
    assert failed[(profile, "expect_column_values_to_be_between", "recency_score_1_share")] == (
        "observed 0; expected between 0.15 and 0.25"
    )
    assert not outcome.success
    assert outcome.docs_index.is_file()


def test_a_publication_without_accepted_customers_skips_only_the_row_count(
    demo_build: Workspace, tmp_path: Path
) -> None:
    database = broken_copy(
        demo_build,
        tmp_path / "older.duckdb",
        "alter table customer360__publication drop column accepted_customers",
    )
    result = demo_build.c360(
        "validate", "--database", str(database), C360_REPORTS_DIR=str(tmp_path)
    )
    assert_ok(result)
    assert (
        f"note: row count not checked: {database} has no publication row recording the "
        "accepted customers"
    ) in result.stdout


def test_the_publication_records_the_accepted_customers(demo_build: Workspace) -> None:
    with duckdb.connect(str(demo_build.duckdb_path), read_only=True) as con:
        accepted = con.sql(
            "select count(*) from intermediate.int_customers_validated "
            "where rejection_reason is null"
        ).fetchall()[0][0]
    with duckdb.connect(str(demo_build.published_path), read_only=True) as con:
        recorded = con.sql("select accepted_customers from customer360__publication")
        assert recorded.fetchall() == [(accepted,)]


def test_a_missing_database_is_named(workspace: Workspace) -> None:
    missing = workspace.root / "nothing.duckdb"
    result = workspace.c360("validate", "--database", str(missing))
    assert result.returncode == 2
    assert f"database {missing} does not exist" in result.stdout


def test_rule_vars_come_from_the_publication_row(tmp_path: Path) -> None:
    """The published build's resolved vars win over dbt_project.yml; a file without them
    (no publication, or one written before it recorded them) gives None, and the caller falls
    back to the project's vars."""
    recorded = tmp_path / "recorded.duckdb"
    with duckdb.connect(str(recorded)) as con:
        con.execute(
            "create table customer360__publication as select 'x' as invocation_id, "
            """'{"enterprise_tiers": ["Platinum"], "hve_min_contribution_pct": 7.5, """
            """"rfm_window_days": 365}' as scoring_config_json"""
        )
    assert RuleVars.from_publication(recorded) == RuleVars(7.5, ("Platinum",), 365)
    assert RuleVars.from_publication(recorded) != RuleVars.from_project(PROJECT_DIR)
    older = tmp_path / "older.duckdb"
    with duckdb.connect(str(older)) as con:
        con.execute("create table customer360__publication as select 'x' as invocation_id")
    assert RuleVars.from_publication(older) is None
    bare = tmp_path / "bare.duckdb"
    duckdb.connect(str(bare)).close()
    assert RuleVars.from_publication(bare) is None
