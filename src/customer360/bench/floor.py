"""The floor: one DuckDB query that reads every raw file once and aggregates per customer.

The least a pipeline over the raw data has to do: the build's model time is reported as a
multiple of it. It runs in its own process, under the DuckDB settings profiles.yml gives dbt.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

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


def duckdb_settings_sql() -> str:
    """The settings profiles.yml gives dbt's DuckDB, so the floor runs under the same limits."""
    memory = os.environ.get("C360_DUCKDB_MEMORY_LIMIT", "3GB")
    return f"set memory_limit = '{memory}'; set preserve_insertion_order = false;"


def timed_floor(raw_dir: Path, database: Path) -> float:
    """Build the floor table in a fresh `database`; the seconds its query took."""
    import duckdb  # imported before the clock starts, as pandas is

    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as connection:
        connection.execute(duckdb_settings_sql())
        start = time.perf_counter()
        connection.execute(floor_sql(raw_dir))
        return time.perf_counter() - start
