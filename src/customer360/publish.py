"""Publish the mart for BI readers without ever blocking them or showing them a half-built mart.

DuckDB lets one process write a database file or many read it, not both: a BI tool holding the
file dbt builds would block the build, and a build would block the BI tool. So dbt builds a
private work file ($C360_DUCKDB_PATH), and when the build has passed, `publish` copies the public
tables into a fresh DuckDB file beside $C360_PUBLISHED_PATH, checkpoints and closes it, fsyncs
it, and renames it over the published path with `os.replace`.

What readers see (POSIX rename semantics):
- a connection opened before the swap keeps reading the file it opened (the old inode stays
  alive while it is open): wholly the previous mart, never an error, never blocked;
- a connection opened after the swap reads wholly the new mart;
- a build that fails or is killed never reaches the swap, so the last published mart stays.

Within one process DuckDB shares one database instance per path, so a BI server that keeps any
connection to the published file open keeps serving the old file to new connections too, until
all its connections are closed (a connection pool's recycle setting does that).

Besides the public marts the published database carries the build's test results, one table
for all tests (customer360__test_results) and their failing rows as JSON
(customer360__test_failures), written into the work database by `write_test_results` after
every dbt run, so BI and alerting tools read one table, not one table per test.
`large_change_reason` is the guard `c360 build` applies before publishing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb

from customer360.dbt_artifacts import NodeResult, RunResults, failures_relation

# The contract of the published database: the tables BI tools find by these names.
REQUIRED_TABLES = (
    "customer360__customer_value_analysis",
    "customer360__segment_summary",
    "customer360__segment_distributions",
    "customer360__rfm_thresholds",
    "customer360__rejected_rows",
)
# Published by default when the work database has them; `c360 build` publishes every model
# with `access: public` that its run rebuilt instead.
OPTIONAL_TABLES = (
    "customer360__correlation_diagnostics",
    "customer360__source_quality",
    "customer360__mart_metrics_history",
    "customer360__mart_metrics_drift",
    "customer360__watchlist",
    "customer360__owner_book_of_business",
)
TEST_RESULTS_TABLE = "customer360__test_results"
TEST_FAILURES_TABLE = "customer360__test_failures"
TEST_TABLES = (TEST_RESULTS_TABLE, TEST_FAILURES_TABLE)
WORK_ALIAS = "c360_work"
MART = "customer360__customer_value_analysis"
# The customers the build accepted: the mart must hold exactly these (readers check its row
# count against the publication, not against the work database's private models).
ACCEPTED_CUSTOMERS_SQL = (
    f"select count(*) from {WORK_ALIAS}.intermediate.int_customers_validated "
    "where rejection_reason is null"
)
PUBLICATION_TABLE = "customer360__publication"
TEMP_MARKER = ".publishing-"


class PublishError(RuntimeError):
    """The work database cannot be published (a public table is missing, or a copy failed)."""


@dataclass(frozen=True)
class Publication:
    """What one publish wrote."""

    path: Path
    tables: tuple[str, ...]
    row_counts: dict[str, int]
    as_of_date: str | None


def publish(
    work_path: Path,
    published_path: Path,
    *,
    tables: Iterable[str] | None = None,
    invocation_id: str | None = None,
) -> Publication:
    """Copy the public tables of `work_path` into a new file and swap it in at `published_path`.

    `tables` names the tables of schema main to publish besides REQUIRED_TABLES (None: those of
    OPTIONAL_TABLES present); the test results tables are published when the work database has
    them. The work database must not be open for writing.
    """
    published_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(published_path)
    temp_path = published_path.with_name(f"{published_path.name}{TEMP_MARKER}{os.getpid()}")
    _remove_database_file(temp_path)
    try:
        publication = _write_publication(work_path, temp_path, tables, invocation_id)
        _fsync_file(temp_path)
        # A WAL beside the published path can only be left by someone who opened it for
        # writing; DuckDB would replay it onto the new file, so it goes first.
        _wal_path(published_path).unlink(missing_ok=True)
        os.replace(temp_path, published_path)
        _fsync_directory(published_path.parent)
    except BaseException:
        _remove_database_file(temp_path)
        raise
    return replace(publication, path=published_path)


def _write_publication(
    work_path: Path,
    temp_path: Path,
    wanted_tables: Iterable[str] | None,
    invocation_id: str | None,
) -> Publication:
    try:
        connection = duckdb.connect(str(temp_path))
    except duckdb.Error as error:
        raise PublishError(f"cannot create {temp_path}: {error}") from error
    try:
        connection.execute(f"attach {_sql_string(str(work_path))} as {WORK_ALIAS} (read_only)")
        tables = _public_tables(connection, wanted_tables)
        row_counts = {name: _copy_table(connection, "main", name) for name in tables}
        as_of_date = _as_of_date(connection)
        _write_publication_table(
            connection,
            invocation_id,
            as_of_date,
            tables,
            _scoring_configuration(connection),
            _accepted_customers(connection),
        )
        connection.execute(f"detach {WORK_ALIAS}")
        connection.execute("checkpoint")
    except duckdb.Error as error:
        raise PublishError(f"copying {work_path} failed: {error}") from error
    finally:
        connection.close()
    if _wal_path(temp_path).exists():
        raise PublishError(f"{temp_path} kept a write-ahead log after checkpoint and close")
    return Publication(temp_path, tables, row_counts, as_of_date)


def _tables_in(connection: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ?",
        [WORK_ALIAS, schema],
    ).fetchall()
    return {row[0] for row in rows}


def _public_tables(
    connection: duckdb.DuckDBPyConnection, wanted: Iterable[str] | None
) -> tuple[str, ...]:
    present = _tables_in(connection, "main")
    missing = [name for name in REQUIRED_TABLES if name not in present]
    if missing:
        raise PublishError(f"the work database lacks {', '.join(missing)}: nothing was published")
    others = OPTIONAL_TABLES if wanted is None else sorted(set(wanted) - set(REQUIRED_TABLES))
    others = [name for name in others if name not in TEST_TABLES]
    return (
        REQUIRED_TABLES
        + tuple(name for name in others if name in present)
        + tuple(name for name in TEST_TABLES if name in present)
    )


def _copy_table(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> int:
    target = f"{schema}.{_identifier(name)}"
    connection.execute(
        f"create table {target} as select * from {WORK_ALIAS}.{schema}.{_identifier(name)}"
    )
    return int(connection.execute(f"select count(*) from {target}").fetchall()[0][0])


def _as_of_date(connection: duckdb.DuckDBPyConnection) -> str | None:
    rows = connection.execute(
        "select cast(max(as_of_date) as varchar) from main.customer360__customer_value_analysis"
    ).fetchall()
    return rows[0][0] if rows else None


def _scoring_configuration(connection: duckdb.DuckDBPyConnection) -> tuple[str | None, ...]:
    """The build's scoring configuration: its fingerprint and resolved scoring vars as JSON."""
    if "int_scoring_configuration" not in _tables_in(connection, "intermediate"):
        return (None, None)
    rows = connection.execute(
        "select scoring_config_fingerprint, scoring_config_json "
        f"from {WORK_ALIAS}.intermediate.int_scoring_configuration"
    ).fetchall()
    return tuple(rows[0]) if rows else (None, None)


def _accepted_customers(connection: duckdb.DuckDBPyConnection) -> int | None:
    """How many customers the build accepted (None for a work database without validation)."""
    if "int_customers_validated" not in _tables_in(connection, "intermediate"):
        return None
    return int(connection.execute(ACCEPTED_CUSTOMERS_SQL).fetchall()[0][0])


def _write_publication_table(
    connection: duckdb.DuckDBPyConnection,
    invocation_id: str | None,
    as_of_date: str | None,
    tables: Sequence[str],
    scoring_configuration: tuple[str | None, ...],
    accepted_customers: int | None,
) -> None:
    """One row telling readers which build they see (no wall clock: the dbt run's identity),
    the scoring vars it resolved and the customers it accepted, so that readers take the rules'
    parameters and the expected mart size from the build, not from its private models."""
    connection.execute(
        f"create table main.{PUBLICATION_TABLE} as select "
        "cast(? as varchar) as invocation_id, cast(? as date) as as_of_date, "
        "cast(? as varchar[]) as published_tables, "
        "cast(? as varchar) as scoring_config_fingerprint, "
        "cast(? as varchar) as scoring_config_json, "
        "cast(? as bigint) as accepted_customers",
        [invocation_id, as_of_date, list(tables), *scoring_configuration, accepted_customers],
    )


def write_test_results(
    work_path: Path,
    run: RunResults,
    nodes: dict[str, dict[str, Any]],
    max_failing_rows: int,
) -> int:
    """(Re)write the run's test results into the work database; returns the tests recorded.

    One row per data or unit test of `run` in TEST_RESULTS_TABLE, and up to `max_failing_rows`
    failing rows per test (as JSON, from the test's table in schema audit) in
    TEST_FAILURES_TABLE. The audit tables of a run that did not store failures itself (`c360
    build`'s) are written first (`_store_failing_rows`).
    """
    tests = [r for r in run.results if r.resource_type in ("test", "unit_test")]
    rows = [_test_result_row(run.invocation_id, r, nodes.get(r.unique_id, {})) for r in tests]
    with duckdb.connect(str(work_path)) as connection:
        _store_failing_rows(connection, tests, nodes)
        connection.execute(
            f"create or replace table main.{TEST_RESULTS_TABLE} (invocation_id varchar, "
            "test_unique_id varchar, test_name varchar, test_type varchar, model varchar, "
            "column_name varchar, severity varchar, status varchar, failures bigint, "
            "message varchar, failures_relation varchar)"
        )
        if rows:
            connection.executemany(
                f"insert into main.{TEST_RESULTS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        connection.execute(
            f"create or replace table main.{TEST_FAILURES_TABLE} (invocation_id varchar, "
            "test_unique_id varchar, test_name varchar, row_number bigint, failing_row json)"
        )
        present = {
            f"{schema}.{table}"
            for schema, table in connection.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        for result in tests:
            relation = failures_relation(result, nodes.get(result.unique_id, {}))
            if relation is None or relation not in present:
                continue
            schema, table = relation.split(".", 1)
            connection.execute(
                f"insert into main.{TEST_FAILURES_TABLE} "
                "select ?, ?, ?, row_number() over (), to_json(failing) "
                f"from (select * from {_identifier(schema)}.{_identifier(table)} limit ?) "
                "as failing",
                [run.invocation_id, result.unique_id, result.name, max_failing_rows],
            )
    return len(rows)


def _store_failing_rows(
    connection: duckdb.DuckDBPyConnection,
    tests: Sequence[NodeResult],
    nodes: dict[str, dict[str, Any]],
) -> None:
    """Keep each failing data test's rows in its audit table, as dbt's store_failures would.

    `c360 build` runs dbt with `store_failures_as` ephemeral (C360_STORE_TEST_FAILURES_AS,
    Settings.dbt_env): a table per test, written by dbt for the hundreds that pass, cost some
    5 to 8 ms each (2 to 4 s of a 1M build). Here only the tests that failed or warned run
    their compiled query again, into the table dbt would have written (`failures_relation`); a
    test that now passes loses the table an earlier run left, so no stale rows are shown. A
    test whose failing rows dbt stored itself (`relation_name` set) is left as dbt wrote it.
    """
    for result in tests:
        node = nodes.get(result.unique_id, {})
        schema, alias = node.get("schema"), node.get("alias")
        if result.resource_type != "test" or result.relation_name or not (schema and alias):
            continue
        table = f"{_identifier(schema)}.{_identifier(alias)}"
        if result.failures and result.compiled_code:
            connection.execute(f"create schema if not exists {_identifier(schema)}")
            connection.execute(f"create or replace table {table} as {result.compiled_code}")
        elif result.status == "pass":
            connection.execute(f"drop table if exists {table}")


def _test_result_row(invocation_id: str, result: NodeResult, node: dict[str, Any]) -> tuple:
    attached = (node.get("attached_node") or "").rsplit(".", 1)[-1] or result.unit_tested_model
    severity = str(node.get("config", {}).get("severity") or "error").lower()
    return (
        invocation_id,
        result.unique_id,
        result.name,
        "unit" if result.resource_type == "unit_test" else "data",
        attached,
        node.get("column_name"),
        severity,
        result.status,
        result.failures,
        " ".join((result.message or "").split()) or None,
        failures_relation(result, node),
    )


@dataclass(frozen=True)
class MartFigures:
    """The volume figures the publish guard compares."""

    customers: int
    revenue_12m: float


def mart_figures(path: Path) -> MartFigures | None:
    """Customers and total revenue_12m of the mart in `path`; None when it has no mart."""
    if not path.is_file():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as connection:
            row = connection.execute(
                f"select count(*), coalesce(sum(revenue_12m), 0)::double from main.{MART}"
            ).fetchall()[0]
    except duckdb.Error:
        return None
    return MartFigures(int(row[0]), float(row[1]))


def large_change_reason(
    new: MartFigures, published: MartFigures | None, max_drop_pct: float
) -> str | None:
    """Why the new mart looks like a broken feed next to the published one, or None."""
    if published is None:
        return None
    drops = []
    for label, old_value, new_value in (
        ("customers", published.customers, new.customers),
        ("total revenue_12m", published.revenue_12m, new.revenue_12m),
    ):
        if old_value > 0 and (old_value - new_value) / old_value * 100 > max_drop_pct:
            drop = (old_value - new_value) / old_value * 100
            drops.append(f"{label} fell {drop:.1f}% ({old_value:,.0f} -> {new_value:,.0f})")
    if not drops:
        return None
    return (
        f"{'; '.join(drops)} against the published mart, more than publish_max_drop_pct "
        f"({max_drop_pct:g}%)"
    )


def remove_stale_temp_files(published_path: Path) -> None:
    """Remove temp files of publishes whose process is gone (killed mid-publish)."""
    prefix = f"{published_path.name}{TEMP_MARKER}"
    for path in published_path.parent.glob(f"{prefix}*"):
        pid_text = path.name.removeprefix(prefix).removesuffix(".wal")
        if pid_text.isdigit() and not _process_alive(int(pid_text)):
            path.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_database_file(path: Path) -> None:
    path.unlink(missing_ok=True)
    _wal_path(path).unlink(missing_ok=True)


def _wal_path(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync_file(path: Path) -> None:
    """Flush the new file's data to disk before the rename makes it visible."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_directory(path: Path) -> None:
    """Make the rename itself durable; some filesystems refuse fsync on a directory."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
