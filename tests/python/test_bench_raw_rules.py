"""The benchmark's fair anchors on hand-made raw files: SPEC 2's row rules in pandas, and the
SPEC floor's key settling in DuckDB.

The end-to-end check (pandas from the raw files equal to the mart, on the generator's defects)
is test_bench's; these pin each rule on rows written for it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import PROJECT_DIR

from customer360 import bench
from customer360.bench import raw_rules
from customer360.bench.floor import timed_floor

MONEY = pa.decimal128(18, 2)


def _customer(customer_id, **changes):
    row = {
        "customer_id": customer_id,
        "customer_name": f"name {customer_id}",
        "industry": "Retail",
        "region": "EMEA",
        "country_code": "GB",
        "employee_count": 10,
        "signup_date": date(2024, 1, 1),
        "account_owner_id": "o1",
    }
    return row | changes


def _transaction(transaction_id, customer_id, ts, amount="100.00", kind="new"):
    return {
        "transaction_id": transaction_id,
        "customer_id": customer_id,
        "transaction_ts": datetime.fromisoformat(ts),
        "amount": Decimal(amount) if amount is not None else None,
        "transaction_type": kind,
    }


CUSTOMERS = [
    _customer("a"),
    _customer("a"),  # an exact duplicate counts once
    _customer("b"),
    _customer("dup"),
    _customer("dup", region="APAC"),  # two versions: rejected
    _customer(None),  # null key
    _customer("neg", employee_count=-1),
    _customer("iso", country_code="XX"),
    _customer("noname", customer_name=None),
    _customer("late", signup_date=date(2026, 1, 1)),  # after as_of_date
    _customer("old", signup_date=date(1899, 12, 31)),  # not a plausible date
    _customer("nocountry", country_code=None, employee_count=None),
]
TRANSACTIONS = [
    _transaction("t1", "a", "2025-12-31 10:00"),
    _transaction("t1", "a", "2025-12-31 10:00"),  # exact duplicate: once
    _transaction("t2", "a", "2025-06-01 00:00"),
    _transaction("t2", "a", "2025-06-01 00:00", "101.00"),  # conflicting: both rejected
    _transaction(None, "a", "2025-06-02 00:00"),  # null key
    _transaction("t3", "ghost", "2025-06-03 00:00"),  # unknown customer
    _transaction("t4", "dup", "2025-06-04 00:00"),  # customer rejected as conflicting
    _transaction("t5", "b", "2025-06-05 00:00", kind="gift"),  # out of set
    _transaction("t6", "b", "2025-06-06 00:00", amount=None),  # missing amount
    _transaction("t7", "b", "2025-06-07 00:00", amount="2000000000.00"),  # above the max
    _transaction("t8", "b", "2025-06-08 00:00", amount="-20.00"),  # a refund: accepted
    _transaction("t9", "nocountry", "2025-11-30 23:59"),
    _transaction("t10", None, "2025-06-09 00:00"),  # missing customer
]
ACTIVITY = [
    {
        "event_id": "e1",
        "customer_id": "a",
        "event_ts": datetime(2025, 12, 31, 12),
        "event_type": "login",
        "channel": "web",
    },
]


def _write(directory: Path, customers=CUSTOMERS, transactions=TRANSACTIONS, activity=ACTIVITY):
    directory.mkdir(parents=True, exist_ok=True)
    schemas = {
        "customers": pa.schema(
            [
                ("customer_id", pa.string()),
                ("customer_name", pa.string()),
                ("industry", pa.string()),
                ("region", pa.string()),
                ("country_code", pa.string()),
                ("employee_count", pa.int32()),
                ("signup_date", pa.date32()),
                ("account_owner_id", pa.string()),
            ]
        ),
        "transactions": pa.schema(
            [
                ("transaction_id", pa.string()),
                ("customer_id", pa.string()),
                ("transaction_ts", pa.timestamp("us")),
                ("amount", MONEY),
                ("transaction_type", pa.string()),
            ]
        ),
        "activity_events": pa.schema(
            [
                ("event_id", pa.string()),
                ("customer_id", pa.string()),
                ("event_ts", pa.timestamp("us")),
                ("event_type", pa.string()),
                ("channel", pa.string()),
            ]
        ),
    }
    tables = {"customers": customers, "transactions": transactions, "activity_events": activity}
    for name, rows in tables.items():
        table = pa.Table.from_pylist(rows, schema=schemas[name])
        pq.write_table(table, directory / f"{name}.parquet")
    return directory


def _rules() -> bench.RowRules:
    return bench.row_rules(PROJECT_DIR)


def test_row_rules_keep_exactly_the_rows_spec_2_accepts(tmp_path: Path) -> None:
    accepted = bench.accepted_rows(_write(tmp_path / "raw"), _rules())
    assert accepted.as_of_date == pd.Timestamp("2025-12-31")  # the latest event, var unset
    assert sorted(accepted.customers.index) == ["a", "b", "nocountry"]
    transactions = accepted.transactions.sort_values(["customer_id", "days"])
    assert transactions.to_dict("list") == {
        "customer_id": ["a", "b", "nocountry"],
        "cents": [10_000, -2_000, 10_000],
        "days": [0, 206, 31],
    }


def test_the_as_of_var_cuts_later_rows_and_signups(tmp_path: Path) -> None:
    rules = replace(_rules(), as_of_date="2025-11-30")
    accepted = bench.accepted_rows(_write(tmp_path / "raw"), rules)
    assert accepted.as_of_date == pd.Timestamp("2025-11-30")
    # t1 (Dec 31) is after as_of; t9 at 23:59 on as_of_date itself is not
    assert accepted.transactions["customer_id"].tolist().count("a") == 0
    assert "nocountry" in accepted.transactions["customer_id"].tolist()


def test_an_implausible_gap_sets_as_of_before_it(tmp_path: Path) -> None:
    """One stray row dated 2099 does not become the analysis date; it is implausibly late."""
    stray = _transaction("t99", "a", "2099-01-01 00:00")
    accepted = bench.accepted_rows(
        _write(tmp_path / "raw", transactions=[*TRANSACTIONS, stray]), _rules()
    )
    assert accepted.as_of_date == pd.Timestamp("2025-12-31")
    assert accepted.transactions["days"].min() == 0


def test_resolved_as_of_follows_int_as_of_date() -> None:
    rules = _rules()
    days = np.array(["2025-01-01", "2025-01-02", "2025-12-31"], dtype="datetime64[D]")
    # a gap of 363 days that one row follows and two precede: implausible
    assert raw_rules.resolved_as_of(days, rules) == (np.datetime64("2025-01-02"),) * 2
    # a thin early history followed by the real data is not cut
    later = np.array(["2020-01-01", "2025-01-01", "2025-01-02"], dtype="datetime64[D]")
    assert raw_rules.resolved_as_of(later, rules) == (np.datetime64("2025-01-02"), None)
    # as many rows after the gap as before it: not fewer, so the later date stands
    even = np.array(["2025-01-01", "2025-12-31"], dtype="datetime64[D]")
    assert raw_rules.resolved_as_of(even, rules) == (np.datetime64("2025-12-31"), None)
    # a gap of exactly as_of_max_gap_days is plausible
    edge = np.array(["2025-01-01", "2025-01-01"], dtype="datetime64[D]")
    edge = np.append(edge, edge[0] + rules.as_of_max_gap_days)
    assert raw_rules.resolved_as_of(edge, rules)[1] is None


def test_values_parse_as_the_build_parses_them() -> None:
    sub_cent = pd.Series(
        pa.array([Decimal("12.345"), Decimal("12.340"), None], pa.decimal128(18, 3))
    )
    assert raw_rules.parsed_cents(sub_cent).tolist() == [pd.NA, 1234, pd.NA]
    as_text = pd.Series(["12.34", "12.345", "abc", "-3"])
    assert raw_rules.parsed_cents(as_text).tolist() == [1234, pd.NA, pd.NA, -300]
    assert raw_rules.parsed_integers(pd.Series([3.0, 3.5, None])).tolist() == [3, pd.NA, pd.NA]
    stamps = raw_rules.parsed_timestamps(pd.Series(["2025-01-02", "2025-01-02 10:00:00", "x"]))
    assert stamps.tolist()[:2] == [pd.Timestamp("2025-01-02"), pd.Timestamp("2025-01-02 10:00")]
    assert pd.isna(stamps.iloc[2])
    far = raw_rules.parsed_timestamps(pd.Series(["9999-12-31", "1899-12-31", "2999-12-31"]))
    assert far.isna().tolist() == [True, True, False]


def test_the_country_codes_are_read_from_their_macro() -> None:
    codes = raw_rules.iso_country_codes(PROJECT_DIR)
    assert len(codes) == 249 and {"GB", "US", "AX"} <= codes and "XX" not in codes


def test_the_spec_floor_settles_keys(tmp_path: Path) -> None:
    raw = _write(tmp_path / "raw")
    timed_floor(raw, tmp_path / "floor.duckdb", spec=True)
    with duckdb.connect(str(tmp_path / "floor.duckdb"), read_only=True) as connection:
        rows = dict(
            connection.execute(
                "select customer_id, transactions from customer_spec_floor"
            ).fetchall()
        )
    # no NULL or conflicting key; an exact duplicate once; facts of unknown customers dropped
    assert None not in rows and "dup" not in rows and "ghost" not in rows
    assert rows["a"] == 1  # t1 once, t2 conflicting, the NULL key left out
    assert rows["b"] == 4  # the floor compares keys, not values


@pytest.mark.parametrize("spec", [True, False])
def test_both_floors_build_without_the_optional_files(tmp_path: Path, spec: bool) -> None:
    raw = _write(tmp_path / "raw")
    (raw / "activity_events.parquet").unlink()
    assert timed_floor(raw, tmp_path / "floor.duckdb", spec=spec) >= 0
