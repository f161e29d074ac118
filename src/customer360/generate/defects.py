"""Contract-breaking rows, appended on purpose so the rejected-rows model has something to show.

Each kind copies a few clean rows of small customers and breaks them in one way (a null or
duplicate key, an unknown customer, a value out of its set or range, a date after END_DATE),
named by the reason the staging models are expected to give.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from customer360.generate.calibration import DAY_SECONDS, END_DAY
from customer360.generate.contract import KEYS, TIMESTAMP, key_codes
from customer360.generate.tables import Rows, replace_column, time_of_day, timestamps

_Mutation = Callable[[pa.Table, np.random.Generator], pa.Table]


def _unchanged(rows: pa.Table, rng: np.random.Generator) -> pa.Table:
    return rows


def _null(column: str) -> _Mutation:
    def mutate(rows: pa.Table, rng: np.random.Generator) -> pa.Table:
        return replace_column(rows, column, pa.nulls(rows.num_rows, rows.schema.field(column).type))

    return mutate


def _constant(column: str, value: object) -> _Mutation:
    def mutate(rows: pa.Table, rng: np.random.Generator) -> pa.Table:
        kind = rows.schema.field(column).type
        return replace_column(rows, column, pa.array([value] * rows.num_rows, kind))

    return mutate


def _upper(column: str) -> _Mutation:
    def mutate(rows: pa.Table, rng: np.random.Generator) -> pa.Table:
        return replace_column(rows, column, pc.utf8_upper(rows[column]))

    return mutate


def _earlier(column: str, seconds: int) -> _Mutation:
    """Same key, other content; earlier, so no defect moves a date past END_DATE."""

    def mutate(rows: pa.Table, rng: np.random.Generator) -> pa.Table:
        shifted = pc.subtract(rows[column], pa.scalar(seconds * 1_000_000, pa.duration("us")))
        return replace_column(rows, column, shifted.cast(TIMESTAMP))

    return mutate


def _amount_corrected(rows: pa.Table, rng: np.random.Generator) -> pa.Table:
    one = pa.scalar(1, pa.decimal128(18, 2))
    return replace_column(rows, "amount", pc.add(rows["amount"], one).cast(pa.decimal128(18, 2)))


def _unknown_customer(rows: pa.Table, rng: np.random.Generator) -> pa.Table:
    # Numbers from 90,000,000 up are never generated customers (at most 10,000,000).
    ghosts = rng.integers(90_000_000, 100_000_000, rows.num_rows)
    return replace_column(rows, "customer_id", key_codes("C", ghosts, KEYS["customers"].width))


def _after_end(column: str, *cleared: str) -> _Mutation:
    def mutate(rows: pa.Table, rng: np.random.Generator) -> pa.Table:
        days = rng.integers(1, 31, rows.num_rows)
        seconds = (END_DAY + days) * DAY_SECONDS + time_of_day(rng, rows.num_rows)
        rows = replace_column(rows, column, timestamps(seconds))
        for other in cleared:
            rows = _null(other)(rows, rng)
        return rows

    return mutate


class _Defect(NamedTuple):
    reason: str  # what the staging models are expected to say about it
    fresh_key: bool  # a new key of its own, or the key of the row it was copied from
    mutate: _Mutation


_SHARED_DEFECTS = (
    _Defect("exact_duplicate (accepted once)", False, _unchanged),
    _Defect("unknown_customer", True, _unknown_customer),
)
# Each class copies real rows of small customers and breaks them in one way. Funnel and ticket
# rows after END_DATE are rejected as post-as_of; transactions and activity keep none, because
# their latest date is the default as_of_date.
_DEFECTS: dict[str, tuple[_Defect, ...]] = {
    "customers": (
        _Defect("null_key", False, _null("customer_id")),
        _SHARED_DEFECTS[0],
        _Defect("conflicting_duplicate_key", False, _upper("customer_name")),
        _Defect("value_out_of_range", True, _constant("employee_count", -5)),
    ),
    "account_owners": (
        _Defect("null_key", False, _null("account_owner_id")),
        _SHARED_DEFECTS[0],
        _Defect("conflicting_duplicate_key", False, _upper("owner_name")),
    ),
    "transactions": (
        _Defect("null_key", False, _null("transaction_id")),
        *_SHARED_DEFECTS,
        _Defect("conflicting_duplicate_key", False, _amount_corrected),
        _Defect("value_out_of_set", True, _constant("transaction_type", "gift")),
    ),
    "activity_events": (
        _Defect("null_key", False, _null("event_id")),
        *_SHARED_DEFECTS,
        _Defect("conflicting_duplicate_key", False, _earlier("event_ts", 3_600)),
    ),
    "funnel_events": (
        _Defect("null_key", False, _null("funnel_event_id")),
        *_SHARED_DEFECTS,
        _Defect("conflicting_duplicate_key", False, _earlier("event_ts", DAY_SECONDS)),
        _Defect("value_out_of_set", True, _constant("stage", "legal")),
        _Defect("after_as_of_date", True, _after_end("event_ts")),
    ),
    "support_tickets": (
        _Defect("null_key", False, _null("ticket_id")),
        *_SHARED_DEFECTS,
        _Defect("conflicting_duplicate_key", False, _earlier("opened_ts", 3_600)),
        _Defect("value_out_of_set", True, _constant("priority", "critical")),
        _Defect("value_out_of_range", True, _constant("csat_score", 7)),
        _Defect("after_as_of_date", True, _after_end("opened_ts", "resolved_ts")),
    ),
}


def with_defects(
    table: str, rows: Rows, rng: np.random.Generator, rate: float, next_key: dict[str, int]
) -> pa.Table:
    """Append a few broken copies of clean rows per class of _DEFECTS[table].

    Copies come from small customers only, so the enterprise accounts that drive the calibration,
    and the END_DATE anchor, stay whole.
    """
    eligible = np.flatnonzero(~rows.is_large)
    if rate == 0 or len(eligible) == 0:
        return rows.table
    key = KEYS[table]
    defects = _DEFECTS[table]
    per_class = max(1, round(rate * rows.table.num_rows / len(defects)))
    broken = []
    for defect in defects:  # a handful of classes, each vectorised over its rows
        picked = rng.choice(eligible, per_class, replace=per_class > len(eligible))
        copies = defect.mutate(rows.table.take(np.sort(picked)), rng)
        if defect.fresh_key:
            numbers = next_key[table] + np.arange(copies.num_rows)
            copies = replace_column(copies, key.column, key_codes(key.prefix, numbers, key.width))
            next_key[table] += copies.num_rows
        broken.append(copies)
    return pa.concat_tables([rows.table, *broken])
