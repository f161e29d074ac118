"""Bad input that used to publish a wrong mart with exit 0, or fail without paging (issue 13).

Each case runs the real CLI or dbt on small raw files written here. Builds select the staging,
validation and rejected-rows models (with the data tests on them, the row reconciliation
included) and share one build across several assertions; hook-only cases stop after the
on-run-start hook.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import PROJECT_DIR, Workspace, assert_ok

REJECTED = "customer360__rejected_rows"
SUBSET = (
    "--select",
    f"+{REJECTED}",
    "+stg_customer360__rows_read",
    "assert_no_implausibly_late_rows",
    "stg_customer360__raw_file_inventory",
    "assert_account_owner_ids_in_roster",
    "--exclude",
    "test_type:unit",
    "--indirect-selection",
    "cautious",
)
XSS = '"><img src=x onerror=alert(1)>'
CUSTOMERS_HEADER = (
    "customer_id,customer_name,industry,region,country_code,employee_count,signup_date,"
    "account_owner_id\n"
)
TRANSACTIONS_HEADER = "transaction_id,customer_id,transaction_ts,amount,transaction_type\n"


def output(result: subprocess.CompletedProcess[str]) -> str:
    return (result.stdout or "") + (result.stderr or "")


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def workspace_in(root: Path, raw_name: str = "raw") -> Workspace:
    """A workspace whose raw directory is `root/raw_name` (any characters)."""

    class Named(Workspace):
        @property
        def raw_dir(self) -> Path:
            return self.root / raw_name

    ws = Named(root)
    ws.raw_dir.mkdir(parents=True, exist_ok=True)
    return ws


def run_until_hook(ws: Workspace, *dbt_args: str) -> subprocess.CompletedProcess[str]:
    return ws.dbt("run", "--select", "stg_customer360__customers", *dbt_args)


def hook_failure(ws: Workspace) -> str:
    """The output of a run that the on-run-start hook stopped (it must fail)."""
    result = run_until_hook(ws)
    assert result.returncode != 0
    return output(result)


# --- one CSV build: time zones, ragged lines, trimming, quotes, odd path, empty tables --------

CSV_VARS = (
    "{as_of_date: 2025-06-30, rejected_min_rows: 1000, "
    'transaction_types: [new, renewal, expansion, one_time, refund, "o\'neil"]}'
)
CSV_TRANSACTIONS = TRANSACTIONS_HEADER + (
    # 23:30 at UTC-5 is 04:30 the next day in UTC: inside the 12-month window ...
    "T01, C001 ,2024-06-30T23:30:00-05:00,100.00,new\n"
    # ... and after as_of_date
    "T02,C001,2025-06-30T23:30:00-05:00,50.00,renewal\n"
    "T03,C001,2025-06-30T23:30:00+02:00,25.00,new \n"
    "T04,C003,2025-01-01 10:00:00,10.00,new\n"
    "T05,C001,2025-02-01 10:00:00,1.00,o'neil\n"
    "T06,C001,2025-02-01 10:00:00,9000000000000000.00,new\n"
    "T07,C001,infinity,1.00,new\n"
    "T08,C001,2025-03-01 10:00:00,1.00,new,extra\n"
    "T09,C001\n"
    "T10,C001,2025-03-02 10:00:00,2.00, renewal\n"
    # Unicode space separators pad the key; a digit separator DuckDB's cast would take
    "T11,\u00a0C001\u3000,2025-03-03 10:00:00,3.00,new\u2009\n"
    "T12,C001,2025-03-03 10:00:00,1_000,new\n"
)


@pytest.fixture(scope="module")
def csv_build(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = workspace_in(tmp_path_factory.mktemp("csv"), "raw [q1]*?")
    raw = ws.raw_dir
    (raw / "customers.csv").write_text(
        CUSTOMERS_HEADER + " C001 ,Alpha,Software,EMEA,DE,10,2020-01-01,AO1\n"
        f'C002,Beta,Retail,NA,US,5,2021-01-01,"{XSS.replace(chr(34), chr(34) * 2)}"\n'
        "C003,Gamma,Retail,NA,US,5,2021-01-01,AO1\n"
        "C003,GAMMA,Retail,NA,US,5,2021-01-01,AO1\n"
    )
    (raw / "account_owners.csv").write_text("account_owner_id,owner_name,team\nAO1,Ann,sales\n")
    (raw / "transactions.csv").write_text(CSV_TRANSACTIONS)
    (raw / "activity_events.csv").write_bytes(b"")
    (raw / "funnel_events.csv").write_text("funnel_event_id,customer_id,stage,event_ts\n")
    result = ws.c360("build", "--no-publish", "--vars", CSV_VARS, "--", *SUBSET)
    ws.root.joinpath("build.log").write_text(output(result))
    assert_ok(result)
    return ws


def test_a_path_with_glob_characters_is_read_literally(csv_build: Workspace) -> None:
    inventory = dict(
        query(csv_build.duckdb_path, "select source_table, file_path from raw.raw_file_inventory")
    )
    assert inventory["customers"] == f"{csv_build.raw_dir}/customers.csv"


def test_offsets_are_converted_to_the_time_zone_before_dates_are_taken(
    csv_build: Workspace,
) -> None:
    rows = dict(
        query(
            csv_build.duckdb_path,
            "select transaction_id, cast(transaction_ts as varchar) "
            "from intermediate.int_transactions_validated where rejection_reason is null",
        )
    )
    assert rows["T01"] == "2024-07-01 04:30:00"  # 365 days before as_of_date read naively
    assert rows["T03"] == "2025-06-30 21:30:00"
    reasons = dict(
        query(
            csv_build.duckdb_path,
            f"select source_key, reason from main.{REJECTED} where source_table = 'transactions'",
        )
    )
    assert reasons["T02"] == "after_as_of_date"


def test_malformed_csv_lines_are_rejected_rows_and_the_rest_loads(csv_build: Workspace) -> None:
    lines = query(
        csv_build.duckdb_path,
        f"select rejected_column, raw_row from main.{REJECTED} where reason = 'malformed_csv_line'",
    )
    by_line = {json.loads(raw)["line_number"]: json.loads(raw) for _, raw in lines}
    assert sorted(by_line) == [9, 10]
    assert by_line[9]["raw_line"] == "T08,C001,2025-03-01 10:00:00,1.00,new,extra"
    assert by_line[9]["error_type"] == "TOO MANY COLUMNS"
    assert by_line[10]["raw_line"] == "T09,C001"
    log = csv_build.root.joinpath("build.log").read_text()
    assert "has no column" not in log
    assert "transactions_rows_read_equal_accepted_plus_rejected" in log
    (rows_read,) = query(
        csv_build.duckdb_path,
        "select rows_read from staging.stg_customer360__rows_read "
        "where source_table = 'transactions'",
    )[0]
    assert rows_read == 12


def test_every_transaction_gets_its_own_reason(csv_build: Workspace) -> None:
    rows = query(
        csv_build.duckdb_path,
        "select transaction_id, customer_id, transaction_type, rejection_reason "
        "from intermediate.int_transactions_validated order by transaction_id",
    )
    assert rows == [
        ("T01", "C001", "new", None),  # ' C001 ' trimmed
        ("T02", "C001", "renewal", "after_as_of_date"),
        ("T03", "C001", "new", None),  # 'new ' trimmed
        ("T04", "C003", "new", "conflicting_customer_key"),
        ("T05", "C001", "o'neil", None),  # a list var with a quote
        ("T06", "C001", "new", "value_out_of_range"),  # beyond transaction_amount_max_abs
        ("T07", "C001", "new", "unparseable_value"),  # infinity
        ("T10", "C001", "renewal", None),
        ("T11", "C001", "new", None),  # no-break and ideographic spaces trimmed
        ("T12", "C001", "new", "unparseable_value"),  # 1_000 is no amount
    ]
    ((raw_row,),) = query(
        csv_build.duckdb_path,
        f"select raw_row from main.{REJECTED} where source_key = 'T12'",
    )
    assert json.loads(raw_row)["amount"] == "not a number: 1_000"
    customers = query(
        csv_build.duckdb_path,
        "select customer_id from intermediate.int_customers_validated "
        "where rejection_reason is null order by 1",
    )
    assert customers == [("C001",), ("C002",)]


def test_empty_optional_tables_count_as_absent_with_a_warning(csv_build: Workspace) -> None:
    log = csv_build.root.joinpath("build.log").read_text()
    raw = csv_build.raw_dir
    assert (
        f"customer360: optional raw table 'activity_events' (file '{raw}/activity_events.csv') "
        "is an empty file (0 bytes); treated as absent"
    ) in log
    assert (
        f"customer360: optional raw table 'funnel_events' (file '{raw}/funnel_events.csv') "
        "has no rows; treated as absent"
    ) in log
    present = dict(
        query(csv_build.duckdb_path, "select source_table, is_present from raw.raw_file_inventory")
    )
    assert present["activity_events"] is False and present["funnel_events"] is False
    assert present["transactions"] is True


def test_alerts_escape_text_from_the_data(csv_build: Workspace) -> None:
    result = csv_build.c360("alerts", "--format", "json")
    assert_ok(result)
    assert "<img" not in result.stdout
    payload = json.loads(result.stdout)
    (alert,) = [a for a in payload["alerts"] if a["name"] == "assert_account_owner_ids_in_roster"]
    assert alert["sample_rows"][0]["account_owner_id"] == XSS  # the data itself is kept
    digest = payload["text"]
    assert "<img" not in digest
    assert '"&gt;&lt;img src=x onerror=alert(1)&gt;' in digest
    tests = query(
        csv_build.duckdb_path,
        "select count(*), count(distinct test_unique_id) from main.customer360__test_results",
    )[0]
    assert tests[0] == tests[1] > 10


# --- a Parquet build with the analysis date taken from the data ------------------------------


def write_one_customer_parquet(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    """customers.parquet with one customer, C1, signed up on 2020-01-01."""
    con.execute(
        "copy (select 'C1' as customer_id, 'Alpha' as customer_name, "
        "null::varchar as industry, null::varchar as region, null::varchar as country_code, "
        "10 as employee_count, date '2020-01-01' as signup_date, "
        "null::varchar as account_owner_id) "
        f"to '{raw_dir}/customers.parquet' (format parquet)"
    )


@pytest.fixture(scope="module")
def parquet_build(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = workspace_in(tmp_path_factory.mktemp("parquet"))
    with duckdb.connect() as con:
        con.execute("set timezone = 'UTC'")
        write_one_customer_parquet(con, ws.raw_dir)
        # a TIMESTAMPTZ column, one stray far-future row
        con.execute(
            "copy (select transaction_id, 'C1' as customer_id, "
            "cast(ts as timestamptz) as transaction_ts, 10.00::decimal(18, 2) as amount, "
            "'new' as transaction_type from (values ('T1', '2025-06-01 10:00:00+00'), "
            "('T2', '2025-06-30 10:00:00+00'), ('T3', '2024-06-30 23:30:00-05'), "
            "('T4', '2099-01-01 00:00:00+00')) as t(transaction_id, ts)) "
            f"to '{ws.raw_dir}/transactions.parquet' (format parquet)"
        )
        con.execute(
            "copy (select * from (values ('E1', 'C1', '2025-06-15 10:00:00', 'login', 'web'), "
            "('E2', 'C1', 'infinity', 'login', 'web')) as t(event_id, customer_id, event_ts, "
            f"event_type, channel)) to '{ws.raw_dir}/activity_events.parquet' (format parquet)"
        )
    result = ws.c360("build", "--no-publish", "--", *SUBSET)
    ws.root.joinpath("build.log").write_text(output(result))
    assert_ok(result)
    return ws


def test_a_stray_far_future_date_does_not_move_the_default_as_of_date(
    parquet_build: Workspace,
) -> None:
    as_of = query(
        parquet_build.duckdb_path,
        "select cast(as_of_date as varchar), cast(implausibly_late_after_date as varchar) "
        "from intermediate.int_as_of_date",
    )
    assert as_of == [("2025-06-30", "2025-06-30")]
    rejected = query(
        parquet_build.duckdb_path,
        f"select source_table, source_key, reason from main.{REJECTED} order by all",
    )
    assert rejected == [
        ("activity_events", "E2", "unparseable_value"),
        ("transactions", "T4", "implausibly_late"),
    ]
    log = parquet_build.root.joinpath("build.log").read_text()
    assert "WARN 1 assert_no_implausibly_late_rows" in log
    (failure,) = query(
        parquet_build.duckdb_path,
        "select failing_row->>'failure' from main.customer360__test_failures "
        "where test_name = 'assert_no_implausibly_late_rows'",
    )[0]
    assert failure.startswith("1 transactions row(s) dated after 2025-06-30")


def test_a_timestamptz_column_is_read_in_the_time_zone(parquet_build: Workspace) -> None:
    rows = dict(
        query(
            parquet_build.duckdb_path,
            "select transaction_id, cast(transaction_ts as varchar) "
            "from staging.stg_customer360__transactions",
        )
    )
    assert rows["T3"] == "2024-07-01 04:30:00"
    assert rows["T2"] == "2025-06-30 10:00:00"


def write_amounts_parquet(raw_dir: Path, amounts: list[str], amount_type: str) -> None:
    """Customer C1 and one transaction per amount (T1, T2, ...), its column of amount_type."""
    with duckdb.connect() as con:
        write_one_customer_parquet(con, raw_dir)
        con.execute(
            "copy (select 'T' || i as transaction_id, 'C1' as customer_id, "
            "timestamp '2025-06-01 10:00:00' as transaction_ts, "
            f"cast(amount as {amount_type}) as amount, 'new' as transaction_type "
            "from unnest($amounts) with ordinality as t(amount, i)) "
            f"to '{raw_dir}/transactions.parquet' (format parquet)",
            {"amounts": amounts},
        )


def test_float_amounts_are_read_at_the_cents_they_print_as(tmp_path: Path) -> None:
    ws = workspace_in(tmp_path)
    # a 32-bit float column: 19.99 is stored as 19.9899997711...
    write_amounts_parquet(ws.raw_dir, ["19.99", "1234.56", "0.07", "-5.1", "100"], "float")
    assert_ok(ws.c360("build", "--no-publish", "--", *SUBSET))
    staged = query(
        ws.duckdb_path,
        "select cast(amount as varchar), rejection_reason "
        "from intermediate.int_transactions_validated order by transaction_id",
    )
    assert staged == [
        ("19.99", None),
        ("1234.56", None),
        ("0.07", None),
        ("-5.10", None),
        ("100.00", None),
    ]


def test_null_typed_parquet_columns_read_as_nulls_of_the_contract_type(tmp_path: Path) -> None:
    """pandas and Arrow write a column holding nothing but nulls with Parquet's null type
    (DuckDB describes it as "NULL"): it fits every column, as NULLs of the contract's type, so
    a nullable column is NULL and a required one rejects its rows by their reason."""
    ws = workspace_in(tmp_path)
    nothing = pa.nulls(2)
    pq.write_table(
        pa.table(
            {
                "customer_id": ["C1", "C2"],
                "customer_name": ["Alpha", "Beta"],
                "industry": nothing,
                "region": nothing,
                "country_code": nothing,
                "employee_count": nothing,
                "signup_date": [date(2024, 1, 1), date(2024, 2, 1)],
                "account_owner_id": nothing,
            }
        ),
        ws.raw_dir / "customers.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "transaction_id": ["T1", "T2"],
                "customer_id": ["C1", "C2"],
                "transaction_ts": [datetime(2025, 6, 1, 10), datetime(2025, 6, 2, 10)],
                "amount": nothing,
                "transaction_type": ["new", "new"],
            }
        ),
        ws.raw_dir / "transactions.parquet",
    )
    result = ws.c360("build", "--no-publish", "--vars", "{as_of_date: 2025-06-30}", "--", *SUBSET)
    assert_ok(result)
    assert query(
        ws.duckdb_path,
        "select customer_id, industry, employee_count, account_owner_id, rejection_reason "
        "from intermediate.int_customers_validated order by customer_id",
    ) == [("C1", None, None, None, None), ("C2", None, None, None, None)]
    assert query(
        ws.duckdb_path,
        f"select source_key, reason from main.{REJECTED} where source_table = 'transactions' "
        "order by source_key",
    ) == [("T1", "missing_value"), ("T2", "missing_value")]


def test_a_non_finite_double_is_rejected_and_its_raw_row_is_strict_json(tmp_path: Path) -> None:
    """DuckDB writes a NaN DOUBLE as a bare NaN token: the raw row must still be JSON.

    NaN and infinity are no numbers (unparseable); 1e30 is one, too large (out of range).
    """
    ws = workspace_in(tmp_path)
    write_amounts_parquet(ws.raw_dir, ["19.99", "nan", "inf", "-inf", "1e30"], "double")
    assert_ok(ws.c360("build", "--no-publish", "--", *SUBSET))
    rejected = query(
        ws.duckdb_path,
        f"select source_key, reason, cast(raw_row as varchar) from {REJECTED} "
        "where source_table = 'transactions' order by source_key",
    )

    def no_constants(token: str) -> None:
        raise AssertionError(f"not strict JSON: bare {token}")

    rows = {
        key: (reason, json.loads(raw, parse_constant=no_constants)) for key, reason, raw in rejected
    }
    assert {key: reason for key, (reason, _) in rows.items()} == {
        "T2": "unparseable_value",
        "T3": "unparseable_value",
        "T4": "unparseable_value",
        "T5": "value_out_of_range",
    }
    assert [row["amount"] for _, row in rows.values()] == ["NaN", "Infinity", "-Infinity", 1e30]
    assert rows["T2"][1]["customer_id"] == "C1"


# Text timestamps read in time_zone America/New_York (UTC-5 in January): (text, the wall-clock
# time staged, or the rejection).
ZONED_TEXT = {
    "T01": ("2025-01-10", "2025-01-10 00:00:00"),  # a date: its "-10" is the day, not an offset
    "T02": ("2025-01-10 10:00:00", "2025-01-10 10:00:00"),  # no zone: already in time_zone
    "T03": ("2025-01-10T10:00:00Z", "2025-01-10 05:00:00"),
    "T04": ("2025-01-10 10:00:00 +02:00", "2025-01-10 03:00:00"),  # a space before the offset
    "T05": ("2025-01-10T10:00-0500", "2025-01-10 10:00:00"),
    "T06": ("2025-01-10 10:00:00 UTC", "2025-01-10 05:00:00"),
    "T07": ("2025-01-10 10:00:00 Europe/Paris", "2025-01-10 04:00:00"),
    "T08": ("2025-01-10 10:00:00 Mars/Base", "unparseable_value"),  # not read as 10:00
    "T09": ("2025-13-10T10:00:00+02:00", "unparseable_value"),  # present, so not missing
    "T10": ("2025-02-30", "unparseable_value"),
}


def test_text_times_are_read_in_the_time_zone_and_an_unknown_zone_is_rejected(
    tmp_path: Path,
) -> None:
    ws = workspace_in(tmp_path)
    (ws.raw_dir / "customers.csv").write_text(
        CUSTOMERS_HEADER + "C001,Alpha,Software,EMEA,DE,10,2020-01-01,\n"
    )
    (ws.raw_dir / "transactions.csv").write_text(
        TRANSACTIONS_HEADER
        + "".join(f"{key},C001,{text},10.00,new\n" for key, (text, _) in ZONED_TEXT.items())
    )
    vars_ = "{as_of_date: 2025-06-30, time_zone: America/New_York, rejected_min_rows: 1000}"
    result = ws.c360("build", "--no-publish", "--vars", vars_, "--", *SUBSET)
    assert_ok(result)
    staged = dict(
        query(
            ws.duckdb_path,
            "select transaction_id, coalesce(rejection_reason, cast(transaction_ts as varchar)) "
            "from intermediate.int_transactions_validated",
        )
    )
    assert staged == {key: expected for key, (_, expected) in ZONED_TEXT.items()}
    assert query(
        ws.duckdb_path, "select signup_date::varchar from staging.stg_customer360__customers"
    ) == [("2020-01-01",)]
    raw_rows = dict(
        query(
            ws.duckdb_path,
            f"select source_key, raw_row->>'transaction_ts' from main.{REJECTED} "
            "where source_table = 'transactions'",
        )
    )
    assert raw_rows["T08"] == "time zone not understood: 2025-01-10 10:00:00 Mars/Base"
    assert raw_rows["T09"] == "2025-13-10T10:00:00+02:00"


# --- runs that stop in the on-run-start hook -------------------------------------------------


def test_a_required_table_without_rows_fails_the_build_by_name(tmp_path: Path) -> None:
    ws = workspace_in(tmp_path)
    (ws.raw_dir / "customers.csv").write_text(CUSTOMERS_HEADER + "C1,A,,,,,2020-01-01,\n")
    (ws.raw_dir / "transactions.csv").write_text(TRANSACTIONS_HEADER)
    assert (
        f"customer360: required raw table 'transactions' (file '{ws.raw_dir}/transactions.csv') "
        "has no rows"
    ) in hook_failure(ws)
    (ws.raw_dir / "transactions.csv").write_bytes(b"")
    failure = hook_failure(ws)
    assert "required raw table 'transactions'" in failure
    assert "is an empty file (0 bytes)" in failure


def test_a_column_named_twice_in_a_csv_header_fails_the_build_by_name(tmp_path: Path) -> None:
    ws = workspace_in(tmp_path)
    (ws.raw_dir / "customers.csv").write_text(CUSTOMERS_HEADER + "C1,A,,,,,2020-01-01,\n")
    (ws.raw_dir / "transactions.csv").write_text(
        "transaction_id,customer_id,transaction_ts,Amount,transaction_type, amount\n"
        "T1,C1,2025-01-01,10.00,new,20.00\n"
    )
    assert (
        f"customer360: raw table 'transactions' (file '{ws.raw_dir}/transactions.csv') names "
        "column 'amount' twice in its header (columns 4 and 6); each column must appear once"
    ) in hook_failure(ws)


def test_a_parquet_column_named_twice_fails_the_build_by_name(tmp_path: Path) -> None:
    """DuckDB reads a second `amount` as `amount_1`: without the check staging would take the
    first, all zeros here, and publish a wrong mart. A field of a nested column may share a
    top-level name."""
    ws = workspace_in(tmp_path)
    (ws.raw_dir / "customers.csv").write_text(CUSTOMERS_HEADER + "C1,A,,,,,2020-01-01,\n")
    names = ["transaction_id", "customer_id", "transaction_ts", "Amount", "amount"]
    arrays = [
        pa.array(["T1"]),
        pa.array(["C1"]),
        pa.array([datetime(2025, 1, 1, 10)]),
        pa.array([0.0]),
        pa.array([20.0]),
    ]
    details = pa.array([{"amount": 1.0}])
    pq.write_table(
        pa.Table.from_arrays(
            [*arrays[:3], arrays[4], details, pa.array(["new"])],
            names=[*names[:3], "amount", "details", "transaction_type"],
        ),
        ws.raw_dir / "transactions.parquet",
    )
    assert run_until_hook(ws).returncode == 0, "a nested field named like a column is no clash"
    pq.write_table(
        pa.Table.from_arrays([*arrays, pa.array(["new"])], names=[*names, "transaction_type"]),
        ws.raw_dir / "transactions.parquet",
    )
    assert (
        f"customer360: raw table 'transactions' (file '{ws.raw_dir}/transactions.parquet') names "
        "column 'amount' twice (as 'Amount' and 'amount'); each column must appear once"
    ) in hook_failure(ws)


def test_a_csv_mixing_line_endings_fails_the_build_instead_of_losing_rows(tmp_path: Path) -> None:
    """DuckDB reads quoted bare-LF lines after the rows it sniffed as CRLF as one malformed
    line: three rows would become one rejected row and two would vanish, with rows read =
    accepted + rejected still true. (Within the sniffer's sample, or unquoted, DuckDB refuses
    the file itself.) Line breaks inside quoted values, and a malformed line, are no loss."""
    ws = workspace_in(tmp_path)
    customers = (
        CUSTOMERS_HEADER
        + 'C1,"Alpha\nand\n\nBeta",,,,,2020-01-01,\n'
        + 'C2,"two\nlines",,,,,2020-01-01,\n'
        + '"C3\nbad",x\n'
    )
    (ws.raw_dir / "customers.csv").write_bytes(customers.replace("\n", "\r\n").encode())
    header = TRANSACTIONS_HEADER.replace("\n", "\r\n")
    rows = "".join(f'"T{i}","C1",2025-01-01 10:00:00,1.00,"new"\r\n' for i in range(25_000))
    (ws.raw_dir / "transactions.csv").write_bytes((header + rows).encode())
    passed = run_until_hook(ws)
    assert passed.returncode == 0, output(passed)
    late = "".join(f'"L{i}","C1",2025-01-01 10:00:00,1.00,"new"\n' for i in range(3))
    (ws.raw_dir / "transactions.csv").write_bytes((header + rows + late).encode())
    failure = hook_failure(ws)
    assert (
        f"customer360: raw table 'transactions' (file '{ws.raw_dir}/transactions.csv') has "
        "25004 non-empty lines, but the CSV reader returned only "
    ) in failure
    assert "lines would be lost. A file that mixes line endings" in failure


def test_encoding_and_delimiter_are_vars(tmp_path: Path) -> None:
    ws = workspace_in(tmp_path)
    (ws.raw_dir / "customers.csv").write_bytes(
        CUSTOMERS_HEADER.replace(",", ";").encode()
        + "C1;Alpha;;;;;2020-01-01;\nC2;Café;;;;;2020-01-01;\n".encode("latin-1")
    )
    (ws.raw_dir / "transactions.csv").write_text(
        TRANSACTIONS_HEADER.replace(",", ";") + "T1;C1;2025-01-01 10:00:00;1.00;new\n"
    )
    comma = run_until_hook(ws, "--vars", json.dumps({"csv_encoding": "latin-1"}))
    assert comma.returncode != 0
    assert "the header looks delimited by ';', not var csv_delimiter (',')" in output(comma)
    semicolon = json.dumps({"csv_delimiter": ";"})
    result = run_until_hook(ws, "--vars", semicolon)
    assert result.returncode != 0
    assert (
        f"customer360: raw file '{ws.raw_dir}/customers.csv' is not valid utf-8 at line 3"
    ) in output(result)
    latin = json.dumps({"csv_delimiter": ";", "csv_encoding": "latin-1"})
    assert_ok(run_until_hook(ws, "--vars", latin))
    names = query(
        ws.duckdb_path, "select customer_name from staging.stg_customer360__customers order by 1"
    )
    assert names == [("Alpha",), ("Café",)]


# --- failures that must page ------------------------------------------------------------------


def test_a_hook_failure_is_recorded_and_pages(tmp_path: Path) -> None:
    ws = workspace_in(tmp_path)
    (ws.raw_dir / "transactions.csv").write_text(TRANSACTIONS_HEADER + "T1,C1,2025-01-01,1,new\n")
    build = ws.c360("build")
    assert build.returncode != 0
    assert "required raw table 'customers' is missing" in build.stdout.splitlines()[-1]
    assert "Traceback" not in output(build)
    alerts = ws.c360("alerts", "--format", "json")
    assert alerts.returncode == 1
    payload = json.loads(alerts.stdout)
    assert payload["page"] is True
    (alert,) = payload["alerts"]
    assert alert["resource_type"] == "build" and alert["name"] == "c360 build: on-run-start"
    assert "customer360: required raw table 'customers' is missing" in alert["message"]


def test_a_file_the_engine_cannot_read_is_named_in_the_last_line(tmp_path: Path) -> None:
    """A truncated Parquet file (no footer) fails where DuckDB reads it; the build's last line
    carries DuckDB's message, which names the file, not just "Runtime Error"."""
    ws = workspace_in(tmp_path)
    (ws.raw_dir / "customers.csv").write_text(CUSTOMERS_HEADER + "C1,Acme,,,,,2024-01-01,\n")
    with duckdb.connect() as con:
        con.execute(
            "copy (select 'T1' as transaction_id, 'C1' as customer_id, "
            "timestamp '2025-01-01 10:00:00' as transaction_ts, 1.00 as amount, "
            f"'new' as transaction_type) to '{ws.raw_dir / 'whole.parquet'}' (format parquet)"
        )
    whole = (ws.raw_dir / "whole.parquet").read_bytes()
    (ws.raw_dir / "whole.parquet").unlink()
    (ws.raw_dir / "transactions.parquet").write_bytes(whole[: len(whole) // 2])
    build = ws.c360("build")
    assert build.returncode != 0
    last = build.stdout.splitlines()[-1]
    assert last.startswith("c360 build: dbt build failed (exit 2: Runtime Error: ")
    assert str(ws.raw_dir / "transactions.parquet") in last
    assert "Traceback" not in output(build)


def test_unusable_vars_give_one_line_not_a_traceback(tmp_path: Path) -> None:
    ws = workspace_in(tmp_path)
    for bad in ("[1, 2", "[1, 2]"):
        result = ws.c360("build", "--vars", bad)
        assert result.returncode == 2
        assert "Traceback" not in output(result)
        assert output(result).startswith("c360 build: --vars ")
        assert len(output(result).strip().splitlines()) == 1


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_a_build_kills_dbt_and_a_second_build_is_refused(tmp_path: Path) -> None:
    ws = workspace_in(tmp_path)
    assert_ok(ws.c360("generate", "--customers", "1000", "--quiet"))
    build = subprocess.Popen(
        [sys.executable, "-m", "customer360.cli", "build"],
        cwd=PROJECT_DIR,
        env=ws.env(PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert build.stdout is not None
    for line in build.stdout:
        if "START" in line:  # dbt runs nodes: it holds the work database
            break
    else:
        pytest.fail("the build ended before dbt started a node")
    second = ws.c360("build")
    assert second.returncode == 5
    assert second.stdout.strip() == (
        f"c360 build: another build (pid {build.pid}) is running on {ws.duckdb_path}; "
        "wait for it to finish"
    )
    dbt_children = _children(build.pid)
    assert dbt_children
    os.kill(build.pid, signal.SIGKILL)  # the c360 process alone, not its group
    build.wait(timeout=60)
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in dbt_children):
        assert time.monotonic() < deadline, "dbt outlived the killed c360 build"
        time.sleep(0.2)
    alerts = ws.c360("alerts")
    assert alerts.returncode == 1
    assert "ended without finishing: killed or crashed" in alerts.stdout
    assert not ws.published_path.exists()


@pytest.mark.parametrize("command", ["report", "validate"])
def test_a_file_that_is_not_a_database_gives_one_line(tmp_path: Path, command: str) -> None:
    ws = workspace_in(tmp_path)
    garbage = tmp_path / "not-a-database.duckdb"
    garbage.write_text("this is not a DuckDB file")
    result = ws.c360(command, "--database", str(garbage))
    assert result.returncode == 2
    assert "Traceback" not in output(result)
    (line,) = output(result).strip().splitlines()
    assert line.startswith(f"c360 {command}: ") and str(garbage) in line


def test_a_back_dated_build_counts_later_customers_rows_as_after_as_of_date(
    tmp_path: Path,
) -> None:
    """C2 signed up after as_of_date: its rows are valid data outside the window, so they are
    after_as_of_date, not unknown_customer, and the invalid share stays at 0 (it was 50%, over
    the error threshold, and the build failed)."""
    ws = workspace_in(tmp_path)
    (ws.raw_dir / "customers.csv").write_text(
        CUSTOMERS_HEADER + "C1,Early,,,,,2020-01-01,\nC2,Later,,,,,2025-03-01,\n"
    )
    rows = [
        f"T{customer}{month:02d},{customer},{year}-{month:02d}-15 10:00:00,100.00,renewal"
        for customer, year in (("C1", 2024), ("C2", 2025))
        for month in range(1, 13)
    ]
    (ws.raw_dir / "transactions.csv").write_text(TRANSACTIONS_HEADER + "\n".join(rows) + "\n")
    back_dated = "{as_of_date: 2024-12-31, rejected_min_rows: 1}"
    quality = "customer360__source_quality"
    selection = ("--select", quality, *SUBSET[1:])  # with its threshold tests
    assert_ok(ws.c360("build", "--no-publish", "--vars", back_dated, "--", *selection))
    assert query(
        ws.duckdb_path,
        f"select source_table, reason, rejected_column, count(*) from {REJECTED} "
        "group by all order by all",
    ) == [
        ("customers", "after_as_of_date", "signup_date", 1),
        ("transactions", "after_as_of_date", "transaction_ts", 12),
    ]
    assert query(
        ws.duckdb_path,
        f"select rows_read, rows_after_as_of_date, rows_invalid from main.{quality} "
        "where source_table = 'transactions'",
    ) == [(24, 12, 0)]


def test_as_of_date_that_cannot_be_derived_stops_the_build_saying_why(tmp_path: Path) -> None:
    """No transaction or activity row passes the checks, and var as_of_date is not set."""
    ws = workspace_in(tmp_path)
    (ws.raw_dir / "customers.csv").write_text(CUSTOMERS_HEADER + "C1,Alpha,,,,,2020-01-01,\n")
    (ws.raw_dir / "transactions.csv").write_text(
        TRANSACTIONS_HEADER + "T1,C1,2024-01-01,ten,new\nT2,C1,someday,10.00,new\n"
    )
    build = ws.c360("build", "--no-publish", "--", *SUBSET)
    assert build.returncode != 0
    assert "Traceback" not in output(build)
    assert (
        "customer360: as_of_date cannot be derived: none of the 2 transactions and 0 activity "
        "events read passed the row checks"
    ) in output(build)
    assert "or set var as_of_date" in output(build)


def test_a_mart_without_customers_is_refused_saying_why(tmp_path: Path) -> None:
    """as_of_date before every signup: the build fails on one test with a readable row (it failed
    three not_null tests of the metrics history, whose key was NULL for an empty mart)."""
    ws = workspace_in(tmp_path)
    (ws.raw_dir / "customers.csv").write_text(CUSTOMERS_HEADER + "C1,Alpha,,,,,2025-01-01,\n")
    (ws.raw_dir / "transactions.csv").write_text(
        TRANSACTIONS_HEADER + "T1,C1,2025-02-01 10:00:00,10.00,new\n"
    )
    selection = (
        "--select",
        "+assert_mart_holds_a_customer",
        "customer360__mart_metrics_history",
        "--exclude",
        "test_type:unit",
    )
    build = ws.c360("build", "--no-publish", "--vars", "{as_of_date: 2024-06-30}", "--", *selection)
    assert build.returncode != 0
    assert "FAIL 1 assert_mart_holds_a_customer" in output(build)
    assert query(ws.duckdb_path, "select failure from audit.assert_mart_holds_a_customer") == [
        (
            "the mart holds no customer at as_of_date 2024-06-30: of 1 customer row(s) read, 1 "
            "signed up after it and the rest were rejected (customer360__rejected_rows); check "
            "var as_of_date and the customers file",
        )
    ]
