"""What a Python model stored on the previous build, for the models that keep what did not change.

dbt replaces a table model's table only after the model has run, so while it runs `dbt.this` is
the previous build's table (or nothing, on a first build). customer360__correlation_history and
int_customer_snapshot_forecasts_binned read from it the rows of the snapshots they do not
compute again.
"""

from __future__ import annotations


def has_previous_table(session: object, this: object, column: str | None = None) -> bool:
    """Whether the model's table exists (with `column`, when given) in the database."""
    sql = (
        "select count(*) from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and table_name = ?"
    )
    parameters = [this.database, this.schema, this.identifier]  # type: ignore[attr-defined]
    if column is not None:
        sql += " and column_name = ?"
        parameters.append(column)
    # fetchall, not fetchone: a result left unfinished blocks the next query on the connection
    return session.execute(sql, parameters).fetchall()[0][0] > 0  # type: ignore[attr-defined]
