"""End-to-end tests of the raw source contract (SPEC section 2) on real dbt runs.

Small generated raw directories (1,000 customers, generated once per module) are copied and
altered with DuckDB: tables removed or emptied, columns dropped or retyped, CSV instead of
Parquet; a hand-made adversarial directory holds every kind of bad row. Builds select the
models of the mart and of the rejected rows (and the tests on them) and leave the unit tests,
which do not read raw data, to `dbt test --select test_type:unit`; one full plain `dbt build`
proves the whole project runs from the project root. Messages are asserted, not just exit codes.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, Workspace, assert_ok

from customer360.generate.contract import source_tables

MART = "customer360__customer_value_analysis"
REJECTED = "customer360__rejected_rows"
# The mart, the rejected rows, the rows-read counts and everything upstream, with the data
# tests on them (the reconcile tests need all three).
SUBSET = (
    "--select",
    f"+{MART}",
    f"+{REJECTED}",
    "+stg_customer360__rows_read",
    "--exclude",
    "test_type:unit",
    # only tests whose every parent is built (not, say, a mart test that reads the summary)
    "--indirect-selection",
    "cautious",
)
OPTIONAL_TABLES = ("account_owners", "activity_events", "funnel_events", "support_tickets")
TABLE_KEYS = {
    table: declaration["meta"]["key"] for table, declaration in source_tables(PROJECT_DIR).items()
}
VALIDATED = {
    "customers": "intermediate.int_customers_validated",
    "account_owners": "staging.stg_customer360__account_owners",
    "transactions": "intermediate.int_transactions_validated",
    "activity_events": "intermediate.int_activity_events_validated",
    "funnel_events": "intermediate.int_funnel_events_validated",
    "support_tickets": "intermediate.int_support_tickets_validated",
}
FUNNEL_COLUMNS = (
    "marketing_to_sales_days",
    "sales_to_support_days",
    "cross_stage_engagement_consistency",
)


def output(result) -> str:
    return result.stdout + result.stderr


def query(ws: Workspace, sql: str) -> list[tuple]:
    with duckdb.connect(str(ws.duckdb_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def build_rejected_rows(ws: Workspace, as_of_date: str):
    """`dbt build` of the rejected rows and everything upstream, with the data tests on them."""
    return ws.dbt(
        "build",
        "--vars",
        json.dumps({"as_of_date": as_of_date}),
        "--select",
        f"+{REJECTED}",
        "--exclude",
        "test_type:unit",
        "--indirect-selection",
        "cautious",
    )


def scalar(ws: Workspace, sql: str):
    return query(ws, sql)[0][0]


def copy_raw(source: Path, dest: Path, skip: Iterable[str] = ()) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file() and path.stem not in skip and not path.name.startswith("."):
            shutil.copy2(path, dest / path.name)
    return dest


def rewrite_parquet(path: Path, select: str) -> None:
    """Replace a Parquet file by `select` over it (the file is `raw` in the query)."""
    staged = path.with_name(f"{path.stem}.rewritten.parquet")
    with duckdb.connect() as con:
        con.execute(f"create view raw as select * from read_parquet('{path}')")
        con.execute(f"copy ({select}) to '{staged}' (format parquet)")
    staged.replace(path)


def workspace_with_raw(root: Path, source: Path, skip: Iterable[str] = ()) -> Workspace:
    ws = Workspace(root)
    copy_raw(source, ws.raw_dir, skip)
    return ws


# --- shared inputs ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 generated customers, as Parquet (generated/parquet) and CSV (generated/csv)."""
    root = tmp_path_factory.mktemp("generated")
    ws = Workspace(root)
    for file_format in ("parquet", "csv"):
        out = root / file_format
        result = ws.c360(
            "generate", "--customers", "1000", "--format", file_format, "--out", str(out), "--quiet"
        )
        assert_ok(result)
    return root


@pytest.fixture(scope="module")
def parquet_build(tmp_path_factory: pytest.TempPathFactory, generated: Path) -> Workspace:
    """A plain, full `dbt build` from the project root on the generated Parquet files."""
    ws = workspace_with_raw(tmp_path_factory.mktemp("parquet_build"), generated / "parquet")
    result = ws.dbt("build")
    assert_ok(result)
    ws.root.joinpath("build.log").write_text(output(result))
    return ws


@pytest.fixture(scope="module")
def failing_runs(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """One database and target dir for runs expected to stop early (partial parsing reused)."""
    return Workspace(tmp_path_factory.mktemp("failing_runs"))


def run_until_hook(ws: Workspace, raw_dir: Path):
    """A run that only needs the on-run-start hook to pass or fail on `raw_dir`."""
    return ws.dbt("run", "--select", "int_as_of_date", C360_RAW_DIR=str(raw_dir))


# --- a complete raw directory -----------------------------------------------------------------


def test_plain_dbt_build_from_the_project_root(parquet_build: Workspace) -> None:
    log = parquet_build.root.joinpath("build.log").read_text()
    assert "is absent from" not in log
    accepted = scalar(
        parquet_build,
        "select count(*) from intermediate.int_customers_validated where rejection_reason is null",
    )
    assert accepted > 900
    assert scalar(parquet_build, f"select count(*) from main.{MART}") == accepted
    inventory = query(
        parquet_build, "select source_table, is_present, file_format from raw.raw_file_inventory"
    )
    assert sorted(inventory) == sorted((table, True, "parquet") for table in TABLE_KEYS)


def test_rows_read_equal_accepted_plus_rejected_on_generated_data(
    parquet_build: Workspace,
) -> None:
    assert_rows_reconcile(parquet_build)


def test_csv_raw_dir_builds_the_same_mart_as_parquet(
    tmp_path: Path, generated: Path, parquet_build: Workspace
) -> None:
    ws = workspace_with_raw(tmp_path, generated / "csv")
    result = ws.c360("build", "--no-publish", "--", *SUBSET)
    assert_ok(result)
    assert sorted(query(ws, "select distinct file_format from raw.raw_file_inventory")) == [
        ("csv",)
    ]
    with duckdb.connect() as con:
        con.execute(f"attach '{parquet_build.duckdb_path}' as parquet_db (read_only)")
        con.execute(f"attach '{ws.duckdb_path}' as csv_db (read_only)")
        differences = con.execute(
            f"select count(*) from ((select * from parquet_db.main.{MART}"
            f" except all select * from csv_db.main.{MART})"
            f" union all (select * from csv_db.main.{MART}"
            f" except all select * from parquet_db.main.{MART}))"
        ).fetchall()[0][0]
        rows = con.execute(f"select count(*) from csv_db.main.{MART}").fetchall()[0][0]
        reasons = [
            con.execute(
                f"select source_table, source_key, reason from {db}.main.{REJECTED} order by all"
            ).fetchall()
            for db in ("parquet_db", "csv_db")
        ]
    assert rows > 900
    assert differences == 0
    assert reasons[0] == reasons[1]


# --- optional tables: absent or empty ---------------------------------------------------------


@pytest.mark.parametrize(
    ("absent", "empty"),
    [
        (("activity_events", "funnel_events"), ("account_owners", "support_tickets")),
        (("account_owners", "support_tickets"), ("activity_events", "funnel_events")),
    ],
    ids=["no_activity_no_funnel", "no_owners_no_tickets"],
)
def test_optional_tables_absent_or_empty(
    tmp_path: Path, generated: Path, absent: tuple[str, ...], empty: tuple[str, ...]
) -> None:
    """Each optional table once absent and once an empty file (a table without rows): both
    warn and count as absent (NULL columns), since an empty export is more often a truncated
    feed than a business without activity."""
    ws = workspace_with_raw(tmp_path, generated / "parquet", skip=absent)
    for table in empty:
        rewrite_parquet(ws.raw_dir / f"{table}.parquet", "select * from raw limit 0")
    result = ws.dbt("build", *SUBSET)
    assert_ok(result)
    for table in absent:
        assert (
            f"customer360: optional raw table '{table}' is absent from '{ws.raw_dir}'; "
            "columns computed only from it will be NULL"
        ) in output(result)
    for table in empty:
        assert (
            f"customer360: optional raw table '{table}' (file '{ws.raw_dir}/{table}.parquet') "
            "has no rows; treated as absent: columns computed only from it will be NULL"
        ) in output(result)
    present = dict(query(ws, "select source_table, is_present from raw.raw_file_inventory"))
    assert present == {table: table not in absent + empty for table in TABLE_KEYS}

    customers = scalar(ws, f"select count(*) from main.{MART}")
    accepted = scalar(
        ws,
        "select count(*) from intermediate.int_customers_validated where rejection_reason is null",
    )
    assert customers == accepted > 900
    # no accepted funnel touch (absent or empty): the funnel columns are NULL for everyone
    for column in FUNNEL_COLUMNS:
        assert scalar(ws, f"select count({column}) from main.{MART}") == 0, column
    # an absent (or empty) table's health component is NULL (left out of the weighted mean, so
    # never the weakest)
    components = {"activity_events": "engagement", "support_tickets": "support_experience"}
    for component in components.values():
        filled = scalar(
            ws,
            f"select count({component}_component)"
            " from intermediate.int_customer_snapshots_health_scored",
        )
        assert filled == 0, component
        weakest = scalar(
            ws,
            f"select count(*) from main.{MART} where health_weakest_component = '{component}'",
        )
        assert weakest == 0, component
    assert scalar(ws, f"select count(customer_health_score) from main.{MART}") == customers
    # days_since_last_activity combines the sources present: here only transactions have rows
    mismatched = scalar(
        ws,
        f"select count(*) from main.{MART} where days_since_last_activity"
        " is distinct from (as_of_date - last_transaction_date)",
    )
    assert mismatched == 0
    # portfolios come from account_owner_id, with or without the roster
    owners = scalar(
        ws,
        f"select count(distinct account_owner_id) from main.{MART}"
        " where portfolio_contribution_pct > 0",
    )
    assert owners > 1
    assert_rows_reconcile(ws)


# --- files that break the contract ------------------------------------------------------------


@pytest.mark.parametrize("table", ["customers", "transactions"])
def test_missing_required_table_stops_the_build(
    tmp_path: Path, generated: Path, failing_runs: Workspace, table: str
) -> None:
    raw_dir = copy_raw(generated / "parquet", tmp_path / "raw", skip=[table])
    result = run_until_hook(failing_runs, raw_dir)
    assert result.returncode != 0
    assert (
        f"customer360: required raw table '{table}' is missing: expected {table}.parquet or "
        f"{table}.csv in directory '{raw_dir}'"
    ) in output(result)


def test_a_file_named_almost_right_is_named_in_the_error(
    tmp_path: Path, generated: Path, failing_runs: Workspace
) -> None:
    raw_dir = copy_raw(generated / "parquet", tmp_path / "raw")
    (raw_dir / "transactions.parquet").rename(raw_dir / "Transactions.parquet")
    (raw_dir / "support_tickets.parquet").rename(raw_dir / "support-tickets.parquet")
    result = run_until_hook(failing_runs, raw_dir)
    assert result.returncode != 0
    said = " ".join(output(result).split())
    assert (
        "customer360: optional raw table 'support_tickets' is absent from "
        f"'{raw_dir}'; columns computed only from it will be NULL; found "
        "'support-tickets.parquet', which is not read: a raw file is named exactly "
        "support_tickets.parquet or support_tickets.csv, in lower case"
    ) in said
    assert (
        "(set C360_RAW_DIR, or run `c360 generate` for demo data); found "
        "'Transactions.parquet', which is not read: a raw file is named exactly "
        "transactions.parquet or transactions.csv, in lower case"
    ) in said


def test_missing_column_names_table_file_and_column(
    tmp_path: Path, generated: Path, failing_runs: Workspace
) -> None:
    raw_dir = copy_raw(generated / "parquet", tmp_path / "raw")
    path = raw_dir / "transactions.parquet"
    rewrite_parquet(path, "select * exclude (amount) from raw")
    result = run_until_hook(failing_runs, raw_dir)
    assert result.returncode != 0
    assert (
        f"customer360: raw table 'transactions' (file '{path}') has no column 'amount'; "
        "the contract expects decimal(18,2)"
    ) in output(result)


@pytest.mark.parametrize(
    ("table", "column", "replacement", "found_type"),
    [
        ("transactions", "amount", "amount > 0", "BOOLEAN"),
        ("transactions", "transaction_ts", "[transaction_ts]", "TIMESTAMP[]"),
        ("customers", "signup_date", "true", "BOOLEAN"),
    ],
)
def test_incompatible_column_type_names_table_and_column(
    tmp_path: Path,
    generated: Path,
    failing_runs: Workspace,
    table: str,
    column: str,
    replacement: str,
    found_type: str,
) -> None:
    raw_dir = copy_raw(generated / "parquet", tmp_path / "raw")
    path = raw_dir / f"{table}.parquet"
    rewrite_parquet(path, f"select * replace ({replacement} as {column}) from raw")
    result = run_until_hook(failing_runs, raw_dir)
    assert result.returncode != 0
    assert (
        f"customer360: raw table '{table}' (file '{path}') column '{column}' has type "
        f"{found_type}; the contract expects"
    ) in output(result)


# --- vars -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dbt_vars", "message"),
    [
        (
            {"rfm_weights": {"recency": 0.5, "frequency": 0.3, "monetary": 0.3}},
            "customer360: the weights in var rfm_weights must sum to 1, they sum to 1.1",
        ),
        (
            {"as_of_date": "not-a-date"},
            "customer360: var as_of_date must be an ISO date YYYY-MM-DD, got 'not-a-date'",
        ),
        (
            {"hve_min_contribution_pct": -1},
            "customer360: var hve_min_contribution_pct must be a number in [0, 100], got -1",
        ),
    ],
    ids=["rfm_weights", "as_of_date", "hve_min_contribution_pct"],
)
def test_bad_var_stops_the_build_naming_the_var(
    tmp_path: Path, generated: Path, dbt_vars: dict, message: str
) -> None:
    ws = workspace_with_raw(tmp_path, generated / "parquet")
    result = ws.c360("build", "--no-publish", "--vars", json.dumps(dbt_vars), "--", *SUBSET)
    assert result.returncode != 0
    assert message in output(result)


def test_as_of_date_var_rejects_later_rows(tmp_path: Path, generated: Path) -> None:
    ws = workspace_with_raw(tmp_path, generated / "parquet")
    result = build_rejected_rows(ws, as_of_date="2025-06-30")
    assert_ok(result)
    as_of = query(ws, "select as_of_date::varchar from intermediate.int_as_of_date")
    assert as_of == [("2025-06-30",)]
    after = dict(
        query(
            ws,
            f"select source_table || '.' || rejected_column, count(*) from main.{REJECTED}"
            " where reason = 'after_as_of_date' group by 1",
        )
    )
    for column in (
        "customers.signup_date",
        "transactions.transaction_ts",
        "activity_events.event_ts",
        "funnel_events.event_ts",
        "support_tickets.opened_ts",
    ):
        assert after.get(column, 0) > 0, column
    for model, column in (
        ("int_customers_validated", "signup_date"),
        ("int_transactions_validated", "transaction_ts"),
        ("int_activity_events_validated", "event_ts"),
        ("int_funnel_events_validated", "event_ts"),
        ("int_support_tickets_validated", "coalesce(resolved_ts, opened_ts)"),
    ):
        late = scalar(
            ws,
            f"select count(*) from intermediate.{model} where rejection_reason is null"
            f" and cast({column} as date) > date '2025-06-30'",
        )
        assert late == 0, model
    assert_rows_reconcile(ws)


# --- a hand-made adversarial raw directory ----------------------------------------------------

ADVERSARIAL = {
    "customers": """
        select customer_id, customer_name, industry, region, country_code,
            employee_count::integer as employee_count, signup_date::date as signup_date,
            account_owner_id
        from (values
            ('C1', 'Alpha', 'Software', 'EMEA', 'DE', 100, '2020-01-01', 'AO1'),
            ('C2', 'Beta', null, null, null, null, '2021-01-01', 'AO1'),
            ('C3', 'Gamma', 'Retail', 'NA', 'US', 0, '2022-01-01', null),
            ('C4', 'Delta', 'Retail', 'NA', 'US', 10, '2023-01-01', 'AO2'),
            ('C5', 'Echo', 'Retail', 'NA', 'US', 10, '2023-01-01', 'AO2'),
            ('C5', 'Echo', 'Retail', 'NA', 'US', 10, '2023-01-01', 'AO2'),
            ('C6', 'Foxtrot', 'Retail', 'NA', 'US', 10, '2023-01-01', 'AO2'),
            ('C6', 'FOXTROT', 'Retail', 'NA', 'US', 10, '2023-01-01', 'AO2'),
            (null, 'NoKey', 'Retail', 'NA', 'US', 10, '2023-01-01', 'AO2'),
            ('C7', 'Golf', 'Retail', 'NA', 'US', -5, '2023-01-01', 'AO2'),
            ('C8', 'Hotel', 'Retail', 'NA', 'XX', 10, '2023-01-01', 'AO2'),
            ('C9', 'India', 'Retail', 'NA', 'US', 10, '2026-01-15', 'AO2'),
            ('C10', null, 'Retail', 'NA', 'US', 10, '2023-01-01', 'AO2'),
            ('C11', 'Kilo', 'Retail', 'NA', 'US', 10, '2024-06-01', 'AO9')
        ) as t(customer_id, customer_name, industry, region, country_code, employee_count,
               signup_date, account_owner_id)
    """,
    "account_owners": """
        select * from (values
            ('AO1', 'Ann', 'enterprise'),
            ('AO2', 'Bob', 'digital'),
            ('AO3', 'Cy', 'digital'),
            ('AO3', 'CY', 'digital'),
            (null, 'NoKey', 'digital'),
            ('AO4', 'Di', 'commercial'),
            ('AO4', 'Di', 'commercial')
        ) as t(account_owner_id, owner_name, team)
    """,
    "transactions": """
        select transaction_id, customer_id, transaction_ts::timestamp as transaction_ts,
            amount::decimal(18, 2) as amount, transaction_type
        from (values
            ('T01', 'C1', '2025-12-31 10:00:00', 100.00, 'new'),
            ('T02', 'C1', '2025-01-01 10:00:00', 200.00, 'renewal'),
            ('T03', 'C1', '2024-12-31 10:00:00', 400.00, 'renewal'),
            ('T04', 'C2', '2025-06-01 10:00:00', 50.00, 'new'),
            ('T05', 'C2', '2025-06-15 10:00:00', -80.00, 'refund'),
            ('T06', 'C3', '2025-12-31 08:00:00', 100.00, 'new'),
            ('T07', 'C4', '2025-12-31 09:00:00', 100.00, 'new'),
            ('T08', 'C3', '2025-11-01 10:00:00', 10.00, 'one_time'),
            ('T08', 'C3', '2025-11-01 10:00:00', 10.00, 'one_time'),
            ('T09', 'C4', '2025-11-02 10:00:00', 10.00, 'one_time'),
            ('T09', 'C4', '2025-11-02 10:00:00', 11.00, 'one_time'),
            ('T10', 'C99', '2025-10-01 10:00:00', 5.00, 'new'),
            ('T11', 'C6', '2025-10-01 10:00:00', 5.00, 'new'),
            (null, 'C1', '2025-10-01 10:00:00', 5.00, 'new'),
            ('T13', 'C1', '2025-10-01 10:00:00', 5.00, 'gift'),
            ('T14', 'C9', '2025-10-01 10:00:00', 5.00, 'new'),
            ('T15', 'C1', '2025-10-01 10:00:00', null, 'new'),
            ('T16', 'C1', '2026-01-05 10:00:00', 999.00, 'new'),
            ('T17', 'C5', '2024-12-31 23:59:59', 50.00, 'new'),
            ('T18', 'C5', '2025-01-01 00:00:00', 60.00, 'renewal')
        ) as t(transaction_id, customer_id, transaction_ts, amount, transaction_type)
    """,
    "activity_events": """
        select event_id, customer_id, event_ts::timestamp as event_ts, event_type, channel
        from (values
            ('E1', 'C1', '2025-12-30 10:00:00', 'login', 'web'),
            ('E2', 'C2', '2025-12-01 10:00:00', 'login', 'app'),
            ('E2', 'C2', '2025-12-01 10:00:00', 'login', 'app'),
            ('E3', 'C3', '2025-12-01 10:00:00', 'meeting', 'phone'),
            ('E3', 'C3', '2025-12-01 09:00:00', 'meeting', 'phone'),
            ('E4', 'C99', '2025-12-01 10:00:00', 'login', 'web'),
            ('E5', 'C1', '2026-01-02 10:00:00', 'login', 'web'),
            (null, 'C1', '2025-12-01 10:00:00', 'login', 'web'),
            ('E7', 'C1', '2025-12-01 10:00:00', 'login', null)
        ) as t(event_id, customer_id, event_ts, event_type, channel)
    """,
    "funnel_events": """
        select funnel_event_id, customer_id, stage, event_ts::timestamp as event_ts
        from (values
            ('F1', 'C1', 'marketing', '2025-01-10 10:00:00'),
            ('F2', 'C1', 'sales', '2025-01-05 10:00:00'),
            ('F3', 'C1', 'support', '2025-02-01 10:00:00'),
            ('F4', 'C1', 'legal', '2025-03-01 10:00:00'),
            ('F5', 'C1', 'marketing', '2026-02-01 10:00:00'),
            ('F6', 'C99', 'marketing', '2025-03-01 10:00:00'),
            ('F7', 'C2', 'marketing', '2025-03-01 10:00:00'),
            ('F7', 'C2', 'marketing', '2025-03-01 10:00:00'),
            ('F8', 'C3', 'sales', '2025-03-01 10:00:00'),
            ('F8', 'C3', 'sales', '2025-03-02 10:00:00')
        ) as t(funnel_event_id, customer_id, stage, event_ts)
    """,
    "support_tickets": """
        select ticket_id, customer_id, opened_ts::timestamp as opened_ts,
            resolved_ts::timestamp as resolved_ts, priority, csat_score::integer as csat_score
        from (values
            ('S1', 'C1', '2025-12-01 10:00:00', '2025-12-02 10:00:00', 'low', 5),
            ('S2', 'C2', '2025-12-15 10:00:00', null, 'urgent', null),
            ('S3', 'C1', '2026-01-03 10:00:00', null, 'low', null),
            ('S4', 'C1', '2025-12-30 10:00:00', '2026-01-02 10:00:00', 'high', 4),
            ('S5', 'C1', '2025-12-01 10:00:00', '2025-12-02 10:00:00', 'low', 7),
            ('S6', 'C1', '2025-12-01 10:00:00', null, 'critical', null),
            ('S7', 'C99', '2025-12-01 10:00:00', null, 'low', null),
            ('S8', 'C3', '2025-11-01 10:00:00', '2025-11-02 10:00:00', 'normal', 3),
            ('S8', 'C3', '2025-11-01 10:00:00', '2025-11-02 10:00:00', 'normal', 3),
            ('S9', 'C4', '2025-11-01 10:00:00', null, 'low', null),
            ('S9', 'C4', '2025-11-01 10:00:00', null, 'high', null),
            (null, 'C1', '2025-11-01 10:00:00', null, 'low', null)
        ) as t(ticket_id, customer_id, opened_ts, resolved_ts, priority, csat_score)
    """,
}

# (table, key) -> reason, for every rejected row of ADVERSARIAL; `None` is a null key. A key
# listed twice (conflicting versions) is rejected twice.
EXPECTED_REJECTIONS = {
    "customers": [
        ("C6", "conflicting_duplicate_key"),
        ("C6", "conflicting_duplicate_key"),
        (None, "null_key"),
        ("C7", "value_out_of_range"),
        ("C8", "value_out_of_set"),
        ("C9", "after_as_of_date"),
        ("C10", "missing_value"),
    ],
    "account_owners": [
        ("AO3", "conflicting_duplicate_key"),
        ("AO3", "conflicting_duplicate_key"),
        (None, "null_key"),
    ],
    "transactions": [
        ("T09", "conflicting_duplicate_key"),
        ("T09", "conflicting_duplicate_key"),
        ("T10", "unknown_customer"),
        ("T11", "conflicting_customer_key"),
        (None, "null_key"),
        ("T13", "value_out_of_set"),
        ("T14", "unknown_customer"),
        ("T15", "missing_value"),
        ("T16", "after_as_of_date"),
    ],
    "activity_events": [
        ("E3", "conflicting_duplicate_key"),
        ("E3", "conflicting_duplicate_key"),
        ("E4", "unknown_customer"),
        ("E5", "after_as_of_date"),
        (None, "null_key"),
        ("E7", "missing_value"),
    ],
    "funnel_events": [
        ("F4", "value_out_of_set"),
        ("F5", "after_as_of_date"),
        ("F6", "unknown_customer"),
        ("F8", "conflicting_duplicate_key"),
        ("F8", "conflicting_duplicate_key"),
    ],
    "support_tickets": [
        ("S3", "after_as_of_date"),
        ("S4", "after_as_of_date"),
        ("S5", "value_out_of_range"),
        ("S6", "value_out_of_set"),
        ("S7", "unknown_customer"),
        ("S9", "conflicting_duplicate_key"),
        ("S9", "conflicting_duplicate_key"),
        (None, "null_key"),
    ],
}
# Distinct raw rows per table (exact duplicates count once).
EXPECTED_ROWS_READ = {
    "customers": 13,
    "account_owners": 6,
    "transactions": 19,
    "activity_events": 8,
    "funnel_events": 9,
    "support_tickets": 11,
}


def write_adversarial(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        for table, select in ADVERSARIAL.items():
            con.execute(f"copy ({select}) to '{raw_dir / table}.parquet' (format parquet)")


def assert_rows_reconcile(ws: Workspace, expected_read: dict[str, int] | None = None) -> None:
    """For every table: distinct rows in the raw file = accepted rows + rejected rows."""
    inventory = dict(
        query(ws, "select source_table, file_path from raw.raw_file_inventory where is_present")
    )
    rejected = dict(query(ws, f"select source_table, count(*) from main.{REJECTED} group by 1"))
    with duckdb.connect() as con:
        for table, model in VALIDATED.items():
            if table not in inventory:
                continue
            path = inventory[table]
            reader = (
                f"read_csv('{path}', header = true, all_varchar = true)"
                if path.endswith(".csv")
                else f"read_parquet('{path}')"
            )
            read = con.execute(f"select count(*) from (select distinct * from {reader})").fetchall()
            accepted = scalar(ws, f"select count(*) from {model} where rejection_reason is null")
            rows_read = read[0][0]
            assert rows_read == accepted + rejected.get(table, 0), (table, rows_read, accepted)
            if expected_read is not None:
                assert rows_read == expected_read[table], table


@pytest.fixture(scope="module")
def adversarial_build(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("adversarial"))
    write_adversarial(ws.raw_dir)
    result = ws.dbt("build", "--vars", json.dumps({"as_of_date": "2025-12-31"}), *SUBSET)
    assert_ok(result)
    ws.root.joinpath("build.log").write_text(output(result))
    return ws


def test_adversarial_rows_read_equal_accepted_plus_rejected(adversarial_build: Workspace) -> None:
    # the reconcile data tests ran in the build; this recounts from the files themselves
    log = adversarial_build.root.joinpath("build.log").read_text()
    for table in TABLE_KEYS:
        assert f"{table}_rows_read_equal_accepted_plus_rejected" in log
    assert_rows_reconcile(adversarial_build, EXPECTED_ROWS_READ)


def test_adversarial_rejections_have_the_expected_reasons(adversarial_build: Workspace) -> None:
    rows = query(adversarial_build, f"select source_table, source_key, reason from main.{REJECTED}")
    for table, expected in EXPECTED_REJECTIONS.items():
        actual = sorted(
            ((key, reason) for source, key, reason in rows if source == table),
            key=lambda row: (row[0] or "", row[1]),
        )
        assert actual == sorted(expected, key=lambda row: (row[0] or "", row[1])), table
    raw_rows = query(
        adversarial_build,
        f"select count(*), count(raw_row), count(rejected_column) from main.{REJECTED}",
    )
    assert raw_rows[0][0] == raw_rows[0][1] == raw_rows[0][2]


def test_adversarial_mart_money_windows_and_ties(adversarial_build: Workspace) -> None:
    rows = query(
        adversarial_build,
        "select customer_id, lifetime_revenue::double, revenue_12m::double, transaction_count,"
        " first_transaction_date::varchar, customer_tier, recency_score, frequency_score,"
        f" monetary_score, days_since_last_activity, marketing_to_sales_days,"
        f" sales_to_support_days from main.{MART} order by customer_id",
    )
    assert rows == [
        # T03 is 365 days before as_of_date (out of revenue_12m), T02 364 days (in); T16 after
        # as_of_date is rejected; latest touch on as_of_date; sales touched 5 days before
        # marketing (kept negative), support 27 days after sales
        ("C1", 700.0, 300.0, 3, "2024-12-31", "Bronze", 5, 5, 5, 0, -5, 27),
        # no transaction and no touch at all: 0 revenue, NULL dates, RFM 1/1/1
        ("C11", 0.0, 0.0, 0, None, "Basic", 1, 1, 1, None, None, None),
        # a refund larger than the purchase: negative revenue -> Basic; one purchase
        ("C2", -30.0, -30.0, 2, "2025-06-01", "Basic", 2, 2, 1, 16, None, None),
        # exact duplicate T08 counted once
        ("C3", 110.0, 110.0, 2, "2025-11-01", "Basic", 5, 4, 4, 0, None, None),
        # conflicting T09 rejected: only T07 remains
        ("C4", 100.0, 100.0, 1, "2025-12-31", "Basic", 5, 2, 2, 0, None, None),
        # T17 at 23:59:59 365 days before as_of_date is out of revenue_12m; T18 at midnight
        # 364 days before is in
        ("C5", 110.0, 60.0, 2, "2024-12-31", "Basic", 1, 4, 4, 364, None, None),
    ]
    # RFM by hand, n = 5 ranked (C11 has no purchase): recency days C1 = C3 = C4 = 0 (tie:
    # all k = 5 -> 5), C2 213 (k = 2 -> 2), C5 364 (k = 1 -> 1); frequency C2 = C4 = 1 (k = 2
    # -> (10 + 4) div 5 = 2), C3 = C5 = 2 (k = 4 -> 4), C1 3 (5); monetary C2 -30 (1), C4 100
    # (2), C3 = C5 110 (k = 4 -> 4), C1 700 (5).


# --- unparseable values ------------------------------------------------------------------


def test_unparseable_csv_values_are_rejected_not_fatal(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.raw_dir.mkdir(parents=True)
    (ws.raw_dir / "customers.csv").write_text(
        "customer_id,customer_name,industry,region,country_code,employee_count,signup_date,"
        "account_owner_id\n"
        "C1,Alpha,,,,,2020-01-01,\n"
        "C2,Beta,,,,many,2020-01-01,\n"
    )
    (ws.raw_dir / "transactions.csv").write_text(
        "transaction_id,customer_id,transaction_ts,amount,transaction_type\n"
        "T1,C1,2025-06-30 10:00:00,10.00,new\n"
        "T2,C1,garbage,10.00,new\n"
        "T3,C1,2025-06-30 10:00:00,ten,new\n"
    )
    result = build_rejected_rows(ws, as_of_date="2025-06-30")
    # today: "Conversion Error: invalid timestamp field format: "garbage"" stops the build
    assert "Conversion Error" not in output(result)
    assert_ok(result)
    rejected = query(ws, f"select source_key, reason, rejected_column from main.{REJECTED}")
    assert sorted(rejected) == [
        ("C2", "unparseable_value", "employee_count"),
        ("T2", "unparseable_value", "transaction_ts"),
        ("T3", "unparseable_value", "amount"),
    ]
