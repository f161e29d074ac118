"""Reading the published database: one way to open it, and the small reads its readers share.

`publish` swaps a finished file in at $C360_PUBLISHED_PATH; every reader (the report,
`c360 validate`, the alerts digest, the audience export, Superset provisioning) opens it
read-only through `connect`, so a reader never blocks the next publish. A missing file or one
DuckDB cannot open is a `PublishedDatabaseError` that names the file and what to do.

The file a reader is handed may also be a work database (`--database`) or one published by an
older build, so opening does not insist on the publication row: `publication` returns it, or
None where publish did not write one, and each reader decides what that means for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from customer360.publish import PUBLICATION_TABLE


class PublishedDatabaseError(OSError):
    """The published database does not exist, or DuckDB cannot open it.

    An OSError, as a missing or unreadable file is: the CLI reports it in one line, exit 2.
    """


@contextmanager
def connect(database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to `database`, closed on leaving the block."""
    if not database.is_file():
        raise PublishedDatabaseError(
            f"published database {database} does not exist; run `c360 build` to publish it "
            "(or set C360_PUBLISHED_PATH)"
        )
    try:
        connection = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        raise PublishedDatabaseError(
            f"cannot open published database {database}: {error}"
        ) from error
    try:
        yield connection
    finally:
        connection.close()


def frame(
    connection: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None
) -> pd.DataFrame:
    """The rows of `sql` as pandas (through Arrow, which keeps DuckDB's types)."""
    return connection.sql(sql, params=params).to_arrow_table().to_pandas()


def table_names(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of schema main, where publish writes every table."""
    rows = connection.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()
    return {row[0] for row in rows}


def has_table(connection: duckdb.DuckDBPyConnection, name: str) -> bool:
    return name in table_names(connection)


def column_names(connection: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The columns of table `table` of schema main; empty when there is no such table."""
    rows = connection.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'main' and table_name = ?",
        [table],
    ).fetchall()
    return {row[0] for row in rows}


@dataclass(frozen=True)
class PublicationRow:
    """Which build a published database serves, as publish recorded it (None: not recorded)."""

    invocation_id: str | None
    as_of_date: str | None
    scoring_config_json: str | None
    accepted_customers: int | None = None


def publication(connection: duckdb.DuckDBPyConnection) -> PublicationRow | None:
    """The publication row, or None in a file publish did not write (or wrote no row into).

    A column an older publish did not write yet reads as None.
    """
    present = column_names(connection, PUBLICATION_TABLE)
    if not present:
        return None
    selected = {
        "invocation_id": "invocation_id",
        "as_of_date": "cast(as_of_date as varchar)",
        "scoring_config_json": "scoring_config_json",
        "accepted_customers": "accepted_customers",
    }
    columns = ", ".join(
        expression if name in present else "null" for name, expression in selected.items()
    )
    rows = connection.execute(f"select {columns} from main.{PUBLICATION_TABLE}").fetchall()
    return PublicationRow(*rows[0]) if rows else None
