"""Tests of the demo data generator on real files, read back with DuckDB."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import PROJECT_DIR

from customer360 import generate
from customer360.generate import (
    DEFAULT_CUSTOMERS,
    END_DATE,
    HISTORY_START,
    MAX_CUSTOMERS,
    MIN_CUSTOMERS,
    TABLES,
    TRANSACTIONS_START,
    generate_raw_data,
)
from customer360.generate.contract import ContractError, arrow_schema, source_tables

# The raw contract as dbt declares it (the source YAML), in DuckDB's spelling of the types: the
# files must hold exactly these columns, whatever the generator thinks it writes.
EXPECTED_COLUMNS = {
    table: [(c["name"], c["data_type"].upper()) for c in declaration["columns"]]
    for table, declaration in source_tables(PROJECT_DIR).items()
}
KEY_COLUMNS = {
    table: declaration["meta"]["key"] for table, declaration in source_tables(PROJECT_DIR).items()
}


class RawFiles:
    """One generated directory, queried through DuckDB views named after the tables."""

    def __init__(self, root: Path, file_format: str, counts: dict[str, int]) -> None:
        self.root, self.file_format, self.counts = root, file_format, counts
        self.con = duckdb.connect()
        reader = "read_parquet" if file_format == "parquet" else "read_csv"
        for table in TABLES:
            path = root / f"{table}.{file_format}"
            self.con.execute(f"create view {table} as select * from {reader}('{path}')")

    def value(self, sql: str) -> object:
        return self.con.sql(sql).fetchall()[0][0]

    def rows(self, sql: str) -> list[tuple]:
        return self.con.sql(sql).fetchall()


def _generate(root: Path, **options: object) -> RawFiles:
    file_format = str(options.get("file_format", "parquet"))
    counts = generate_raw_data(root, show_progress=False, **options)  # type: ignore[arg-type]
    return RawFiles(root, file_format, counts)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> RawFiles:
    """The default demo: 5,001 customers, seed 42, Parquet, default share of bad rows."""
    return _generate(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory: pytest.TempPathFactory) -> RawFiles:
    return _generate(tmp_path_factory.mktemp("demo_csv"), file_format="csv")


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> RawFiles:
    """A small run without deliberate bad rows: every row must keep the contract."""
    return _generate(tmp_path_factory.mktemp("clean"), customers=2_000, seed=7, bad_row_rate=0.0)


# --- determinism and files ---------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_same_inputs_give_byte_identical_files(tmp_path: Path, file_format: str) -> None:
    first = generate_raw_data(
        tmp_path / "a",
        customers=MIN_CUSTOMERS,
        seed=3,
        file_format=file_format,
        show_progress=False,
    )
    second = generate_raw_data(
        tmp_path / "b",
        customers=MIN_CUSTOMERS,
        seed=3,
        file_format=file_format,
        show_progress=False,
    )
    assert first == second
    for table in TABLES:
        name = f"{table}.{file_format}"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_default_demo_is_reproducible(demo: RawFiles, tmp_path: Path) -> None:
    assert generate_raw_data(tmp_path, show_progress=False) == demo.counts
    for table in TABLES:
        name = f"{table}.parquet"
        assert (tmp_path / name).read_bytes() == (demo.root / name).read_bytes(), name


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate_raw_data(tmp_path / "a", customers=MIN_CUSTOMERS, seed=1, show_progress=False)
    generate_raw_data(tmp_path / "b", customers=MIN_CUSTOMERS, seed=2, show_progress=False)
    first = (tmp_path / "a" / "transactions.parquet").read_bytes()
    assert first != (tmp_path / "b" / "transactions.parquet").read_bytes()


def test_writes_exactly_the_six_tables(demo: RawFiles) -> None:
    assert sorted(path.name for path in demo.root.iterdir()) == sorted(
        f"{table}.parquet" for table in TABLES
    )


def test_returned_counts_are_the_rows_in_the_files(demo: RawFiles) -> None:
    assert set(demo.counts) == set(TABLES)
    for table in TABLES:
        assert demo.value(f"select count(*) from {table}") == demo.counts[table], table


@pytest.mark.parametrize("table", TABLES)
def test_parquet_columns_and_types_follow_the_contract(demo: RawFiles, table: str) -> None:
    described = demo.rows(f"select column_name, column_type from (describe {table})")
    assert described == EXPECTED_COLUMNS[table]


def test_csv_holds_the_same_data_as_parquet(demo: RawFiles, demo_csv: RawFiles) -> None:
    assert demo_csv.counts == demo.counts
    for table in TABLES:
        path = demo_csv.root / f"{table}.csv"
        assert demo_csv.value(f"select count(*) from read_csv('{path}')") == demo.counts[table]
        # Compared as text, the way the dbt project reads CSV (all_varchar).
        columns = ", ".join(f"cast({name} as varchar)" for name, _ in EXPECTED_COLUMNS[table])
        missing = demo.value(
            f"select count(*) from (select {columns} from {table} except all "
            f"select * from read_csv('{path}', all_varchar = true))"
        )
        assert missing == 0, table


def test_csv_writes_plain_timestamps_and_empty_nulls(demo_csv: RawFiles) -> None:
    lines = (demo_csv.root / "support_tickets.csv").read_text().splitlines()
    assert lines[0] == "ticket_id,customer_id,opened_ts,resolved_ts,priority,csat_score"
    opened = lines[1].split(",")[2]
    assert len(opened) == 19 and opened[10] == " ", opened  # YYYY-MM-DD HH:MM:SS
    assert any(",," in line for line in lines[1:]), "an open ticket has an empty resolved_ts"


def test_new_format_replaces_the_other_formats_files(tmp_path: Path) -> None:
    generate_raw_data(tmp_path, customers=MIN_CUSTOMERS, file_format="csv", show_progress=False)
    generate_raw_data(tmp_path, customers=MIN_CUSTOMERS, show_progress=False)
    assert sorted(path.suffix for path in tmp_path.iterdir()) == [".parquet"] * len(TABLES)


def test_chunks_continue_keys_and_customers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks exercise the path that 250k-customer chunks take at scale.
    monkeypatch.setattr(generate, "CHUNK_CUSTOMERS", 300)
    files = _generate(tmp_path, customers=MIN_CUSTOMERS, bad_row_rate=0.0)
    assert files.value("select count(distinct customer_id) from customers") == MIN_CUSTOMERS
    for table in TABLES[2:]:
        key = KEY_COLUMNS[table]
        assert files.value(f"select count(distinct {key}) = count(*) from {table}"), table
        orphans = files.value(
            f"select count(*) from {table} where customer_id not in "
            "(select customer_id from customers)"
        )
        assert orphans == 0, table


def test_progress_bar_goes_to_stderr(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    generate_raw_data(tmp_path, customers=MIN_CUSTOMERS, show_progress=True)
    out, err = capfd.readouterr()
    assert out == ""
    assert "generating 1,000 customers" in err


# --- arguments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"customers": MIN_CUSTOMERS - 1},
        {"customers": MAX_CUSTOMERS + 1},
        {"customers": 0},
        {"file_format": "json"},
        {"seed": -1},
        {"bad_row_rate": -0.1},
        {"bad_row_rate": 0.5},
    ],
)
def test_invalid_arguments_raise_before_writing(tmp_path: Path, options: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        generate_raw_data(tmp_path / "out", show_progress=False, **options)
    assert not (tmp_path / "out").exists()


def test_size_limits_are_the_documented_ones() -> None:
    assert (MIN_CUSTOMERS, MAX_CUSTOMERS, DEFAULT_CUSTOMERS) == (1_000, 10_000_000, 5_001)
    assert generate.DEFAULT_SEED == 42


# --- contract of the clean rows ----------------------------------------------------------------


def test_keys_are_unique_and_referenced_customers_exist(clean: RawFiles) -> None:
    for table in TABLES:
        key = KEY_COLUMNS[table]
        assert clean.value(f"select count(*) from {table} where {key} is null") == 0, table
        assert clean.value(f"select count(distinct {key}) = count(*) from {table}"), table
    for table in TABLES[2:]:
        orphans = clean.value(
            f"select count(*) from {table} where customer_id not in "
            "(select customer_id from customers)"
        )
        assert orphans == 0, table
    unknown_owners = clean.value(
        "select count(*) from customers where account_owner_id not in "
        "(select account_owner_id from account_owners)"
    )
    assert unknown_owners == 0


def test_ids_are_zero_padded_and_sorted(clean: RawFiles) -> None:
    assert clean.value("select min(customer_id) from customers") == "C00000001"
    assert clean.value("select max(customer_id) from customers") == "C00002000"
    assert clean.value("select min(transaction_id) from transactions") == "T0000000001"
    for table in TABLES:
        key = KEY_COLUMNS[table]
        keys = pq.read_table(clean.root / f"{table}.parquet", columns=[key])[key].to_pylist()
        assert keys == sorted(keys), table


@pytest.mark.parametrize(
    ("table", "column", "allowed"),
    [
        ("transactions", "transaction_type", {"new", "renewal", "expansion", "one_time", "refund"}),
        ("activity_events", "event_type", {"login", "feature_use", "meeting", "email_reply"}),
        ("activity_events", "channel", {"web", "app", "email", "phone", "in_person"}),
        ("funnel_events", "stage", {"marketing", "sales", "support"}),
        ("support_tickets", "priority", {"low", "normal", "high", "urgent"}),
        ("account_owners", "team", {"enterprise", "commercial", "digital"}),
    ],
)
def test_clean_values_stay_in_their_sets(
    clean: RawFiles, table: str, column: str, allowed: set[str]
) -> None:
    found = {row[0] for row in clean.rows(f"select distinct {column} from {table}")}
    assert found == allowed


def test_clean_numbers_and_dates_are_in_range(clean: RawFiles) -> None:
    assert clean.value("select count(*) from customers where employee_count < 0") == 0
    assert clean.value("select count(*) from customers where length(country_code) <> 2") == 0
    assert clean.value("select max(signup_date) from customers") <= END_DATE
    # Small customers signed up over 12 years, large accounts over 6.
    assert clean.value("select min(signup_date) from customers") >= date(2013, 12, 31)
    bad_csat = clean.value(
        "select count(*) from support_tickets where csat_score not between 1 and 5"
    )
    assert bad_csat == 0
    assert clean.value("select count(*) from support_tickets where resolved_ts < opened_ts") == 0
    for table, column in [
        ("transactions", "transaction_ts"),
        ("activity_events", "event_ts"),
        ("funnel_events", "event_ts"),
        ("support_tickets", "opened_ts"),
        ("support_tickets", "resolved_ts"),
    ]:
        low, high = clean.rows(f"select min({column})::date, max({column})::date from {table}")[0]
        start = TRANSACTIONS_START if table == "transactions" else HISTORY_START
        assert low >= start and high <= END_DATE, (table, column)


def test_refunds_are_negative_and_purchases_positive(clean: RawFiles) -> None:
    wrong_sign = clean.value(
        "select count(*) from transactions where (transaction_type = 'refund') <> (amount < 0)"
    )
    assert wrong_sign == 0
    assert clean.value("select count(*) from transactions where amount = 0") == 0
    share = clean.value("select avg((transaction_type = 'refund')::int) from transactions")
    assert 0.02 <= share <= 0.04
    with_cents = clean.value("select count(*) from transactions where amount <> round(amount)")
    assert with_cents > 0


def test_nullable_attributes_are_sometimes_null(clean: RawFiles) -> None:
    for column in ["industry", "region", "country_code", "employee_count", "account_owner_id"]:
        share = clean.value(f"select avg(({column} is null)::int) from customers")
        assert 0.005 <= share <= 0.1, column
    open_share = clean.value("select avg((resolved_ts is null)::int) from support_tickets")
    no_csat = clean.value("select avg((csat_score is null)::int) from support_tickets")
    assert 0.03 <= open_share <= 0.08
    assert 0.07 <= no_csat <= 0.14


# --- dates that define the default as_of_date --------------------------------------------------


def test_transactions_and_activity_end_on_end_date(demo: RawFiles) -> None:
    assert demo.value("select max(transaction_ts)::date from transactions") == END_DATE
    assert demo.value("select max(event_ts)::date from activity_events") <= END_DATE


# --- deliberate contract breaks ----------------------------------------------------------------


def test_bad_rows_of_every_class_are_present(demo: RawFiles) -> None:
    for table in TABLES:
        key = KEY_COLUMNS[table]
        assert demo.value(f"select count(*) from {table} where {key} is null") >= 1, table
        exact = demo.value(
            f"select count(*) from (select * from {table} group by all having count(*) > 1)"
        )
        assert exact >= 1, table
        conflicting = demo.value(
            f"select count(*) from (select {key} from (select distinct * from {table}) "
            f"where {key} is not null group by all having count(*) > 1)"
        )
        assert conflicting >= 1, table
    for table in TABLES[2:]:
        orphans = demo.value(
            f"select count(*) from {table} where customer_id not in "
            "(select customer_id from customers where customer_id is not null)"
        )
        assert orphans >= 1, table
    outside = [
        "select count(*) from customers where employee_count < 0",
        "select count(*) from transactions where transaction_type = 'gift'",
        "select count(*) from funnel_events where stage = 'legal'",
        "select count(*) from support_tickets where priority = 'critical'",
        "select count(*) from support_tickets where csat_score = 7",
        f"select count(*) from funnel_events where event_ts >= date '{END_DATE}' + 1",
        f"select count(*) from support_tickets where opened_ts >= date '{END_DATE}' + 1",
    ]
    for sql in outside:
        assert demo.value(sql) >= 1, sql


def test_bad_rows_are_few(demo: RawFiles) -> None:
    clean_transactions = demo.value(
        "select count(*) from transactions where transaction_type <> 'gift' and "
        "customer_id < 'C9' and transaction_id is not null"
    )
    assert demo.counts["transactions"] - clean_transactions <= 0.002 * demo.counts["transactions"]


# --- shape of the default demo (SPEC section 6) -------------------------------------------------

CUSTOMER_FIGURES = f"""
    with touches as (
        select customer_id, transaction_ts::date as day from transactions
        union all select customer_id, event_ts::date from activity_events
        union all select customer_id, event_ts::date from funnel_events
        union all select customer_id, opened_ts::date from support_tickets
    ),
    last_touch as (
        select customer_id, max(day) as last_day from touches group by all
    ),
    revenue as (
        select
            customer_id,
            sum(amount) as lifetime,
            sum(amount) filter (where transaction_ts::date > date '{END_DATE}' - 365) as year
        from transactions group by all
    ),
    customer as (
        select
            c.customer_id,
            c.account_owner_id,
            coalesce(r.lifetime, 0) as lifetime,
            coalesce(r.year, 0) as year,
            date '{END_DATE}' - t.last_day > 180 as is_quiet
        from (select distinct * from customers where customer_id is not null) as c
        left join revenue as r using (customer_id)
        left join last_touch as t using (customer_id)
    ),
    shared as (
        select
            *,
            100 * year / nullif(sum(year) over (partition by account_owner_id), 0) as book_pct
        from customer
    )
    select
        *,
        case
            when year >= 1000 and book_pct > 5 then 'HVE'
            when year >= 1000 then 'Enterprise'
            else 'SMB'
        end as segment
    from shared
"""


def test_default_demo_has_the_seeds_shape(demo: RawFiles) -> None:
    demo.con.execute(f"create or replace temp table figures as {CUSTOMER_FIGURES}")
    total = demo.value("select count(*) from figures")
    share = dict(demo.rows(f"select segment, count(*) / {total} from figures group by all"))
    assert 0.015 <= share["HVE"] <= 0.035
    assert 0.001 <= share["Enterprise"] <= 0.04
    quiet = demo.value("select avg(is_quiet::int) from figures")
    assert 0.6 <= quiet <= 0.9
    smb_quiet = demo.value("select avg(is_quiet::int) from figures where segment = 'SMB'")
    assert smb_quiet >= 0.65
    # HVE accounts that dropped out in the last year are still Gold on revenue_12m, and quiet.
    hve_quiet = demo.value("select avg(is_quiet::int) from figures where segment = 'HVE'")
    assert 0.03 <= hve_quiet <= 0.3
    means = {
        segment: demo.rows(
            f"select avg(lifetime), avg(year) from figures where segment = '{segment}'"
        )[0]
        for segment in ("HVE", "SMB")
    }
    (hve_lifetime, hve_year), (smb_lifetime, smb_year) = means["HVE"], means["SMB"]
    # The mart adds about 1.5x revenue_12m of expected future value to HVE lifetime revenue, so
    # this ratio of about 3.7 becomes an LTV ratio of about 6 (SPEC section 6: 4.5 to 7).
    assert 2.5 <= hve_lifetime / smb_lifetime <= 4.5
    assert 1_300 <= hve_year <= 3_000
    assert 800 <= smb_lifetime <= 1_300
    assert 50 <= smb_year <= 250


# --- behaviour: purchases and dropout ------------------------------------------------------------

PURCHASES_AROUND_2024 = """
    with purchases as (
        select customer_id, transaction_ts::date as day
        from transactions where amount > 0 and customer_id is not null
    ),
    before as (
        select
            customer_id,
            count(*) as purchases,
            date '2024-12-31' - max(day) as recency_days,
            (max(day) - min(day)) / greatest(count(*) - 1, 1) as mean_gap_days
        from purchases where day <= date '2024-12-31' group by all
    ),
    after as (
        select distinct customer_id from purchases
        where day > date '2024-12-31' and day <= date '2024-12-31' + 180
    )
    select before.*, after.customer_id is not null as bought_again
    from before left join after using (customer_id)
"""


def test_long_silence_means_dropout(demo: RawFiles) -> None:
    """Regular buyers who fell silent for many of their usual gaps rarely buy again (BG/NBD)."""
    demo.con.execute(f"create or replace temp table around as {PURCHASES_AROUND_2024}")
    regular = "purchases >= 5"
    recent = demo.value(
        f"select avg(bought_again::int) from around where {regular}"
        " and recency_days <= mean_gap_days"
    )
    silent = demo.value(
        f"select avg(bought_again::int) from around where {regular}"
        " and recency_days > 4 * mean_gap_days"
    )
    assert recent >= 0.6
    assert silent <= 0.15


def test_yearly_revenue_has_no_jump_at_the_end(demo: RawFiles) -> None:
    """The process is stationary: no year is shaped for the final as_of_date."""
    by_year = dict(
        demo.rows(
            "select year(transaction_ts), sum(amount) from transactions"
            " where customer_id is not null group by all"
        )
    )
    for year in (2023, 2024, 2025):
        assert 0.8 <= by_year[year] / by_year[year - 1] <= 1.25, year


def test_default_demo_books_of_business(demo: RawFiles) -> None:
    owners, smallest, largest = demo.rows(
        "select count(*), min(n), max(n) from (select account_owner_id, count(*) as n "
        "from customers where account_owner_id is not null group by all)"
    )[0]
    assert 100 <= owners <= 140
    assert smallest >= 10 and largest <= 90
    unassigned = demo.value("select avg((account_owner_id is null)::int) from customers")
    assert 0.03 <= unassigned <= 0.07


def test_the_contract_is_the_source_yaml_s() -> None:
    """One declaration: the tables, columns and keys the generator writes are the dbt source's,
    and a type it cannot write is named."""
    declared = source_tables(PROJECT_DIR)
    assert tuple(declared) == TABLES
    assert {table: generate.KEYS[table].column for table in TABLES} == KEY_COLUMNS
    for table in TABLES:
        assert generate.SCHEMAS[table].names == [name for name, _ in EXPECTED_COLUMNS[table]]
    with pytest.raises(ContractError, match=r"customers\.vip has data_type 'blob'"):
        arrow_schema("customers", {"columns": [{"name": "vip", "data_type": "blob"}]})
