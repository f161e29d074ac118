"""The floors: the least a pipeline over the raw data has to do, as one DuckDB statement.

- The SPEC floor (`spec_floor_sql`), the anchor of the ratios: one query per raw file that
  groups by its key, so repeated keys are found and a key with two versions (or none) is left
  out as SPEC 2 requires (exact duplicates count once), then aggregates the accepted rows per
  customer; the facts are joined to the accepted customers, so unknown customers drop out.
  Versions are compared by a 64-bit hash of the row, as a floor may: what the build does in
  full (every check, the rejected rows) costs at least this.
- The old floor (`floor_sql`), kept under its label to compare with earlier runs: a plain
  per-customer aggregate of every file, which looks at no key and so is below what SPEC allows.

Each runs in its own process, under the DuckDB settings profiles.yml gives dbt.
"""

from __future__ import annotations

import time
from pathlib import Path

from customer360.bench.raw_rules import contract_columns
from customer360.settings import duckdb_memory_limit

FLOOR_AGGREGATES: dict[str, str] = {
    "transactions": "count(*) as transactions, sum(amount) as net_amount, "
    "max(transaction_ts) as last_transaction_ts",
    "activity_events": "count(*) as activity_events, max(event_ts) as last_event_ts",
    "funnel_events": "count(*) as funnel_events, max(event_ts) as last_funnel_ts",
    "support_tickets": "count(*) as support_tickets, sum(csat_score) as csat_total, "
    "max(opened_ts) as last_ticket_ts",
}


def floor_sql(raw_dir: Path) -> str:
    """One query reading every raw file once, aggregated to one row per customer."""

    def reader(table: str) -> str:
        return f"read_parquet('{(raw_dir / f'{table}.parquet').as_posix()}')"

    present = [t for t in FLOOR_AGGREGATES if (raw_dir / f"{t}.parquet").is_file()]
    ctes = [
        f"{table} as (select customer_id, {FLOOR_AGGREGATES[table]} from {reader(table)} "
        "group by customer_id)"
        for table in present
    ]
    ctes.append(
        "customers as (select customer_id, any_value(account_owner_id) as account_owner_id, "
        f"count(*) as customer_rows from {reader('customers')} group by customer_id)"
    )
    joins = [f"left join {table} using (customer_id)" for table in present]
    owners = ""
    if (raw_dir / "account_owners.parquet").is_file():
        ctes.append(
            "owners as (select account_owner_id, any_value(team) as team "
            f"from {reader('account_owners')} group by account_owner_id)"
        )
        owners = "left join owners using (account_owner_id)"
    return (
        "create or replace table customer_floor as with "
        + ", ".join(ctes)
        + f" select * from customers {owners} "
        + " ".join(joins)
    )


# What each fact file's per-row measures are called once its key is settled.
SPEC_FLOOR_MEASURES: dict[str, str] = {
    "transactions": "any_value(amount) as amount, any_value(transaction_ts) as transaction_ts",
    "activity_events": "any_value(event_ts) as event_ts",
    "funnel_events": "any_value(event_ts) as event_ts",
    "support_tickets": "any_value(csat_score) as csat_score, any_value(opened_ts) as opened_ts",
}


def _settled_keys(table: str, reader: str, measures: str) -> str:
    """One row per key read with one version: NULL keys and keys with two versions left out."""
    key, columns = contract_columns()[table]
    columns = tuple(column for column in columns if column != key)
    return (
        f"select {key}, {measures} from {reader} where {key} is not null group by {key} "
        f"having min(hash({', '.join(columns)})) = max(hash({', '.join(columns)}))"
    )


def spec_floor_sql(raw_dir: Path) -> str:
    """One statement: each raw file read once, keys settled, facts aggregated per accepted
    customer."""

    def reader(table: str) -> str:
        return f"read_parquet('{(raw_dir / f'{table}.parquet').as_posix()}')"

    present = [t for t in FLOOR_AGGREGATES if (raw_dir / f"{t}.parquet").is_file()]
    owner = "any_value(account_owner_id) as account_owner_id"
    ctes = [f"customers as ({_settled_keys('customers', reader('customers'), owner)})"]
    for table in present:
        measures = "any_value(customer_id) as customer_id, " + SPEC_FLOOR_MEASURES[table]
        ctes.append(
            f"{table} as (select customer_id, {FLOOR_AGGREGATES[table]} from "
            f"({_settled_keys(table, reader(table), measures)}) group by customer_id)"
        )
    owners = ""
    if (raw_dir / "account_owners.parquet").is_file():
        ctes.append(
            "owners as ("
            + _settled_keys("account_owners", reader("account_owners"), "any_value(team) as team")
            + ")"
        )
        owners = "left join owners using (account_owner_id)"
    joins = [f"left join {table} using (customer_id)" for table in present]
    return (
        "create or replace table customer_spec_floor as with "
        + ", ".join(ctes)
        + f" select * from customers {owners} "
        + " ".join(joins)
    )


def duckdb_settings_sql() -> str:
    """The settings profiles.yml gives dbt's DuckDB, so the floor runs under the same limits."""
    return (
        f"set memory_limit = '{duckdb_memory_limit()}'; set preserve_insertion_order = false; "
        "set enable_progress_bar = false;"
    )


def timed_floor(raw_dir: Path, database: Path, *, spec: bool) -> float:
    """Build the SPEC floor's table (spec) or the old floor's in a fresh `database`; the
    seconds its statement took."""
    import duckdb  # imported before the clock starts, as pandas is

    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as connection:
        connection.execute(duckdb_settings_sql())
        statement = spec_floor_sql(raw_dir) if spec else floor_sql(raw_dir)  # before the clock
        start = time.perf_counter()
        connection.execute(statement)
        return time.perf_counter() - start
