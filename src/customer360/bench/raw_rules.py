"""SPEC section 2's row rules in pandas, from the raw files: the rows a build would accept.

The pandas rival starts where the build starts, at the raw files, and does the same work before
it scores anyone: it settles keys (exact duplicate rows count once; a key with two versions, or
none, is rejected), parses and checks each value the core columns depend on, resolves the
analysis date as int_as_of_date does (var `as_of_date`, else the latest transaction or activity
date before an implausible gap), and drops unknown customers and rows dated after it. Reasons
are not kept: only which rows survive, which is what the mart's values depend on.

Values are read as their contract types (the benchmark's raw files are typed parquet) or as ISO
text, which is what DuckDB's try_cast reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from customer360.bench.measure import BenchError

if TYPE_CHECKING:
    import pandas as pd

# c360_parse_timestamp: a time outside [1900-01-01, 3000-01-01) is a placeholder, not a date.
EARLIEST_TIMESTAMP = "1900-01-01"
LATEST_TIMESTAMP = "3000-01-01"


@cache
def contract_columns(project_dir: Path | None = None) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each raw table's key and columns, from the dbt source YAML (the raw contract, declared
    once there)."""
    from customer360.generate.contract import source_tables

    return {
        table: (declaration["meta"]["key"], tuple(c["name"] for c in declaration["columns"]))
        for table, declaration in source_tables(project_dir).items()
    }


@dataclass(frozen=True)
class RowRules:
    """The vars SPEC 2's checks read, from dbt_project.yml (and the ISO codes from their macro)."""

    transaction_types: frozenset[str]
    transaction_amount_max_abs: float
    as_of_date: str | None
    as_of_max_gap_days: int
    country_codes: frozenset[str]
    project_dir: Path

    @classmethod
    def from_values(cls, values: dict[str, Any], project_dir: Path) -> RowRules:
        as_of = values.get("as_of_date")
        return cls(
            transaction_types=frozenset(str(t) for t in values["transaction_types"]),
            transaction_amount_max_abs=float(values["transaction_amount_max_abs"]),
            as_of_date=str(as_of).strip() or None if as_of is not None else None,
            as_of_max_gap_days=int(values["as_of_max_gap_days"]),
            country_codes=iso_country_codes(project_dir),
            project_dir=project_dir,
        )


def iso_country_codes(project_dir: Path) -> frozenset[str]:
    """The codes macro c360_iso_country_codes lists: read from the macro, not copied."""
    macro = project_dir / "macros" / "rules" / "c360_iso_country_codes.sql"
    body = macro.read_text().split("return((", 1)[-1].split("))", 1)[0]
    codes = frozenset(re.findall(r"\b[A-Z]{2}\b", body))
    if len(codes) < 200:
        raise BenchError(f"{macro}: expected the ISO 3166 codes, found {len(codes)}")
    return codes


@dataclass(frozen=True)
class AcceptedRows:
    """What the core columns need of the accepted rows, and the analysis date."""

    customers: pd.DataFrame  # index customer_id; account_owner_id
    transactions: pd.DataFrame  # customer_id, cents (int64), days (as_of - date, int64)
    as_of_date: pd.Timestamp


# --- reading -------------------------------------------------------------------------------------


def read_raw(raw_dir: Path, table: str, columns: tuple[str, ...]) -> pd.DataFrame | None:
    """The contract's columns of a raw parquet file; None when an optional file is absent."""
    import pandas as pd

    path = raw_dir / f"{table}.parquet"
    if not path.is_file():
        if (raw_dir / f"{table}.csv").is_file():
            raise BenchError(f"{raw_dir / table}.csv: the pandas path reads parquet raw files")
        return None
    return pd.read_parquet(path, columns=list(columns))


# --- keys -------------------------------------------------------------------------------------


def settled(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows whose key passes: not NULL, and one distinct version however often it was read.

    Only the rows of repeated keys are compared, as the build's nonunique-keys model does.
    """
    frame = frame.loc[frame[key].notna()]
    repeated = frame[key].duplicated(keep=False).to_numpy()
    if not repeated.any():
        return frame
    versions = frame.loc[repeated].drop_duplicates()
    single = versions.loc[~versions[key].duplicated(keep=False)]
    return _concat([frame.loc[~repeated], single])


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


# --- values ---------------------------------------------------------------------------------------


def parsed_timestamps(values: pd.Series) -> pd.Series:
    """c360_parse_timestamp: a timestamp, a date or ISO text; NaT when it does not parse or is
    outside [1900-01-01, 3000-01-01)."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = values
    else:
        parsed = pd.to_datetime(values.astype("string"), errors="coerce", format="ISO8601")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    in_range = (parsed >= pd.Timestamp(EARLIEST_TIMESTAMP)) & (
        parsed < pd.Timestamp(LATEST_TIMESTAMP)
    )
    return parsed.where(in_range)


def parsed_cents(values: pd.Series) -> pd.Series:
    """c360_parse_money as integer cents: NA when the amount does not parse or has sub-cent
    digits (12.345 is not rounded)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(values, from_pandas=True)
    if pa.types.is_decimal(array.type):
        if array.type.scale > 2:
            whole = pc.equal(pc.round(array, 2), array)
            array = pc.if_else(whole, array, pa.scalar(None, array.type))
        # exact: a decimal(18, 2) in cents is below 2**53 up to 90 trillion
        numbers = pd.Series(array.cast(pa.float64()).to_numpy(zero_copy_only=False), values.index)
        return np.round(numbers * 100).astype("Int64")
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    # decimal(38, 9) = decimal(18, 2), as the build compares them
    whole = np.round(numbers, 9) == np.round(numbers, 2)
    cents = np.round(numbers * 100).where(whole)
    return cents.astype("Int64")


def parsed_integers(values: pd.Series) -> pd.Series:
    """c360_parse_integer: NA when the value is not a whole number."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_integer_dtype(values.dtype):
        return values.astype("Int64")
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    return numbers.where(np.floor(numbers) == numbers).astype("Int64")


def text(values: pd.Series) -> pd.Series:
    return values.astype("string")


# --- the tables ----------------------------------------------------------------------------------


def staged_transactions(raw: pd.DataFrame, rules: RowRules) -> pd.DataFrame:
    """The transactions staging accepts: customer_id, ts, cents (customers not yet checked)."""
    import pandas as pd

    rows = settled(raw, "transaction_id")
    ts = parsed_timestamps(rows["transaction_ts"])
    cents = parsed_cents(rows["amount"])
    kind = text(rows["transaction_type"])
    limit_cents = rules.transaction_amount_max_abs * 100
    passes = (
        rows["customer_id"].notna()
        & ts.notna()
        & cents.notna()
        & (cents.abs().astype("float64") <= limit_cents).fillna(False)
        & kind.isin(rules.transaction_types).fillna(False)
    ).to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "customer_id": text(rows["customer_id"]).to_numpy()[passes],
            "date": ts.to_numpy()[passes].astype("datetime64[D]"),
            "cents": cents.to_numpy()[passes].astype("int64"),
        }
    )


def staged_activity_dates(raw: pd.DataFrame | None):  # -> np.ndarray[datetime64[D]]
    """The dates of the activity events staging accepts (they count towards as_of_date)."""
    import numpy as np

    if raw is None:
        return np.array([], dtype="datetime64[D]")
    rows = settled(raw, "event_id")
    ts = parsed_timestamps(rows["event_ts"])
    passes = (
        rows["customer_id"].notna()
        & ts.notna()
        & rows["event_type"].notna()
        & rows["channel"].notna()
    ).to_numpy(dtype=bool)
    return ts.to_numpy()[passes].astype("datetime64[D]")


def staged_customers(raw: pd.DataFrame, rules: RowRules) -> pd.DataFrame:
    """The customers staging accepts: index customer_id; account_owner_id, signup_date."""
    rows = settled(raw, "customer_id")
    signup = parsed_timestamps(rows["signup_date"])
    employees = parsed_integers(rows["employee_count"])
    country = text(rows["country_code"])
    passes = (
        rows["customer_name"].notna()
        & signup.notna()
        & (rows["employee_count"].isna() | (employees >= 0).fillna(False))
        & (country.isna() | country.isin(rules.country_codes).fillna(False))
    ).to_numpy(dtype=bool)
    accepted = rows.loc[passes, ["customer_id", "account_owner_id"]].astype("string")
    accepted["signup_date"] = signup.to_numpy()[passes].astype("datetime64[D]")
    return accepted.set_index("customer_id")


def resolved_as_of(dates, rules: RowRules):  # -> (np.datetime64, np.datetime64 | None)
    """int_as_of_date: the var, else the latest date before the earliest implausible gap (one
    longer than as_of_max_gap_days that fewer rows follow than precede); and the date after
    which rows are implausibly late (None without such a gap or with the var set)."""
    import numpy as np

    if rules.as_of_date is not None:
        return np.datetime64(rules.as_of_date, "D"), None
    if len(dates) == 0:
        raise BenchError("no transaction or activity date to take as_of_date from")
    days, counts = np.unique(np.asarray(dates).astype("datetime64[D]"), return_counts=True)
    up_to = np.cumsum(counts)[:-1]  # rows dated up to each date that has a next one
    gaps = (days[1:] - days[:-1]).astype("int64")
    implausible = (gaps > rules.as_of_max_gap_days) & (counts.sum() - up_to < up_to)
    if implausible.any():
        last_plausible = days[:-1][implausible].min()
        return last_plausible, last_plausible
    return days[-1], None


def accepted_rows(raw_dir: Path, rules: RowRules) -> AcceptedRows:
    """Read the raw files and apply the rules: the accepted customers and transactions."""
    import pandas as pd

    contract = contract_columns(rules.project_dir)
    customers_raw = read_raw(raw_dir, "customers", contract["customers"][1])
    transactions_raw = read_raw(raw_dir, "transactions", contract["transactions"][1])
    if customers_raw is None or transactions_raw is None:
        raise BenchError(f"{raw_dir}: customers and transactions are required")
    transactions = staged_transactions(transactions_raw, rules)
    del transactions_raw
    activity = read_raw(raw_dir, "activity_events", contract["activity_events"][1])
    activity_dates = staged_activity_dates(activity)
    del activity
    as_of, late_after = resolved_as_of(
        pd.concat([pd.Series(transactions["date"]), pd.Series(activity_dates)]).to_numpy(), rules
    )
    del activity_dates
    customers = staged_customers(customers_raw, rules)
    customers = customers.loc[customers["signup_date"].to_numpy().astype("datetime64[D]") <= as_of]
    last_date = as_of if late_after is None else min(as_of, late_after)
    known = transactions["customer_id"].isin(customers.index).to_numpy()
    dated = transactions["date"].to_numpy().astype("datetime64[D]")
    transactions = transactions.loc[known & (dated <= last_date)]
    # pandas holds dates as datetime64[s]: back to days before subtracting
    days = (as_of - transactions["date"].to_numpy().astype("datetime64[D]")).astype("int64")
    return AcceptedRows(
        customers=customers[["account_owner_id"]],
        transactions=pd.DataFrame(
            {
                "customer_id": transactions["customer_id"].to_numpy(),
                "cents": transactions["cents"].to_numpy(),
                "days": days,
            }
        ),
        as_of_date=pd.Timestamp(as_of),
    )
