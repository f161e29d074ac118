"""The audiences `c360 export` delivers: which published table, which columns, which filters.

Column names are part of the contract with the tools that import them (README, "Exports"):
add columns at the end, never rename. Every row carries `idempotency_key`, the sha256 (hex) of
the audience name and the row's key fields joined by the unit separator (U+001F): the same row
gets the same key on every run, so a receiver that dedups by it never creates a task twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from customer360 import published
from customer360.mart_contract import mart_segments

MART = "customer360__customer_value_analysis"
KEY_COLUMN = "idempotency_key"
UNASSIGNED_OWNER = "unassigned"
_KEY_SEPARATOR = "\x1f"


class ExportError(RuntimeError):
    """Bad input to an export: the message is the one line shown to the user."""


@dataclass(frozen=True)
class Filter:
    """A `--<name>` option: rows whose `column` is one of the values given."""

    name: str
    column: str
    # Allowed values; empty means "the values present in the published data".
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Audience:
    name: str
    table: str
    columns: tuple[str, ...]
    key_columns: tuple[str, ...]
    order_by: tuple[str, ...]
    filters: tuple[Filter, ...] = field(default_factory=tuple)

    @property
    def filter_names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.filters)

    @property
    def output_columns(self) -> tuple[str, ...]:
        return (KEY_COLUMN, *self.columns)


# The segments a --segment filter accepts: the mart YAML's accepted_values for customer_segment.
SEGMENTS = mart_segments()
_OWNER = Filter("owner", "account_owner_id")
_SEGMENT = Filter("segment", "customer_segment", SEGMENTS)

AUDIENCES: dict[str, Audience] = {
    "watchlist": Audience(
        name="watchlist",
        table="customer360__watchlist",
        columns=(
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
        ),
        key_columns=("customer_id", "rule_id", "as_of_date"),
        order_by=("customer_id", "rule_id"),
        filters=(
            Filter("rule", "rule_id"),
            Filter("severity", "severity", ("info", "warning", "critical")),
            Filter("route", "route", ("human", "automated")),
            _OWNER,
            _SEGMENT,
        ),
    ),
    "engagement-model": Audience(
        name="engagement-model",
        table=MART,
        columns=(
            "as_of_date",
            "customer_id",
            "customer_name",
            "account_owner_id",
            "customer_segment",
            "customer_tier",
            "recommended_engagement_model",
            "lifecycle_stage",
            "churn_risk_tier",
            "customer_health_score",
            "churn_probability",
            "expected_annual_revenue",
            "risk_adjusted_value",
        ),
        key_columns=("customer_id", "recommended_engagement_model", "as_of_date"),
        order_by=("customer_id",),
        filters=(_OWNER, _SEGMENT),
    ),
}


@dataclass(frozen=True)
class AudienceRows:
    """One audience read from the published database, in a stable order."""

    audience: Audience
    rows: pa.Table
    database: Path

    @property
    def row_count(self) -> int:
        return self.rows.num_rows


def row_key(audience_name: str, values: Sequence[object]) -> str:
    """The idempotency key of a row: stable across runs for the same key fields."""
    text = _KEY_SEPARATOR.join([audience_name, *("" if v is None else str(v) for v in values)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def audience_named(name: str) -> Audience:
    if name not in AUDIENCES:
        raise ExportError(f"unknown audience {name!r}; expected one of {', '.join(AUDIENCES)}")
    return AUDIENCES[name]


def read_audience(
    database: Path, audience_name: str, filters: Mapping[str, Sequence[str]] | None = None
) -> AudienceRows:
    """Read an audience from `database` (read-only), filtered; ExportError on bad input."""
    audience = audience_named(audience_name)
    wanted = {name: list(values) for name, values in (filters or {}).items() if values}
    unknown = sorted(set(wanted) - set(audience.filter_names))
    if unknown:
        raise ExportError(
            f"--{unknown[0]} is not a filter of audience {audience.name!r}; its filters: "
            + ", ".join(f"--{name}" for name in audience.filter_names)
        )
    try:
        with published.connect(database) as connection:
            _check_table(connection, database, audience)
            conditions, parameters = _conditions(connection, audience, wanted)
            sql = _select_sql(audience, conditions)
            table = connection.sql(sql, params=parameters).to_arrow_table()
    except published.PublishedDatabaseError as error:
        raise ExportError(str(error)) from error
    return AudienceRows(audience, _with_keys(audience, table), database)


def _check_table(connection: duckdb.DuckDBPyConnection, database: Path, audience: Audience) -> None:
    present = published.column_names(connection, audience.table)
    if not present:
        raise ExportError(
            f"published database {database} has no table {audience.table} (published by a "
            f"build older than the {audience.name} audience); run `c360 build`"
        )
    missing = [column for column in audience.columns if column not in present]
    if missing:
        raise ExportError(
            f"table {audience.table} in {database} lacks column {missing[0]} (published by an "
            "older build); run `c360 build`"
        )


def _conditions(
    connection: duckdb.DuckDBPyConnection, audience: Audience, wanted: dict[str, list[str]]
) -> tuple[list[str], list[str]]:
    conditions: list[str] = []
    parameters: list[str] = []
    for item in audience.filters:
        values = wanted.get(item.name)
        if not values:
            continue
        allowed = item.allowed or _present_values(connection, audience, item)
        bad = [value for value in values if value not in allowed]
        if bad:
            raise ExportError(
                f"unknown {item.name} {bad[0]!r} for audience {audience.name!r}; expected one "
                f"of {_listing(allowed)}"
            )
        column = _quoted(item.column)
        if item is _OWNER:
            column = f"coalesce({column}, '{UNASSIGNED_OWNER}')"
        conditions.append(f"{column} in ({', '.join('?' for _ in values)})")
        parameters.extend(values)
    return conditions, parameters


def _present_values(
    connection: duckdb.DuckDBPyConnection, audience: Audience, item: Filter
) -> tuple[str, ...]:
    # Owners are those of the whole mart, so an owner whose customers raised no watchlist row
    # is a valid filter that selects nothing, not an unknown one.
    table = MART if item is _OWNER else audience.table
    column = _quoted(item.column)
    if item is _OWNER:
        column = f"coalesce({column}, '{UNASSIGNED_OWNER}')"
    rows = connection.execute(f"select distinct {column} from main.{_quoted(table)}").fetchall()
    return tuple(sorted(str(row[0]) for row in rows if row[0] is not None))


def _listing(values: Sequence[str], shown: int = 12) -> str:
    if not values:
        return "(none in the published data)"
    head = ", ".join(values[:shown])
    return head if len(values) <= shown else f"{head}, ... ({len(values)} in all)"


def _select_sql(audience: Audience, conditions: list[str]) -> str:
    columns = ", ".join(_quoted(column) for column in audience.columns)
    where = f" where {' and '.join(conditions)}" if conditions else ""
    order = ", ".join(_quoted(column) for column in audience.order_by)
    return f"select {columns} from main.{_quoted(audience.table)}{where} order by {order}"


def _with_keys(audience: Audience, table: pa.Table) -> pa.Table:
    key_values = zip(
        *(table.column(name).to_pylist() for name in audience.key_columns), strict=True
    )
    keys = [row_key(audience.name, [_key_text(value) for value in values]) for values in key_values]
    return table.add_column(0, KEY_COLUMN, pa.array(keys, type=pa.string()))


def _key_text(value: object) -> object:
    # Dates key as ISO text, whatever type the reader maps them to.
    return value.isoformat() if hasattr(value, "isoformat") else value


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
