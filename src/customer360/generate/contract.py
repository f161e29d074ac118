"""The raw source contract that the generator writes (SPEC section 2).

The six tables, their columns and Arrow types, their keys (a prefix and a zero-padded number
each) and the values of their enumerated columns. dbt declares the same columns in
models/staging/customer360/_customer360__sources.yml and checks each file against them on
load; the generator keeps its own declaration because `c360 generate` runs without the dbt
project (it writes wherever --out points).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyarrow as pa

TABLES = (
    "customers",
    "account_owners",
    "transactions",
    "activity_events",
    "funnel_events",
    "support_tickets",
)

FILE_FORMATS = ("parquet", "csv")

TIMESTAMP = pa.timestamp("us")
SCHEMAS: dict[str, pa.Schema] = {
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
    "account_owners": pa.schema(
        [("account_owner_id", pa.string()), ("owner_name", pa.string()), ("team", pa.string())]
    ),
    "transactions": pa.schema(
        [
            ("transaction_id", pa.string()),
            ("customer_id", pa.string()),
            ("transaction_ts", TIMESTAMP),
            ("amount", pa.decimal128(18, 2)),
            ("transaction_type", pa.string()),
        ]
    ),
    "activity_events": pa.schema(
        [
            ("event_id", pa.string()),
            ("customer_id", pa.string()),
            ("event_ts", TIMESTAMP),
            ("event_type", pa.string()),
            ("channel", pa.string()),
        ]
    ),
    "funnel_events": pa.schema(
        [
            ("funnel_event_id", pa.string()),
            ("customer_id", pa.string()),
            ("stage", pa.string()),
            ("event_ts", TIMESTAMP),
        ]
    ),
    "support_tickets": pa.schema(
        [
            ("ticket_id", pa.string()),
            ("customer_id", pa.string()),
            ("opened_ts", TIMESTAMP),
            ("resolved_ts", TIMESTAMP),
            ("priority", pa.string()),
            ("csat_score", pa.int32()),
        ]
    ),
}


class _Key(NamedTuple):
    column: str
    prefix: str
    width: int


# Widths leave room for 10M customers at the volumes below (about 50 raw rows per customer).
KEYS: dict[str, _Key] = {
    "customers": _Key("customer_id", "C", 8),
    "account_owners": _Key("account_owner_id", "AO", 6),
    "transactions": _Key("transaction_id", "T", 10),
    "activity_events": _Key("event_id", "E", 10),
    "funnel_events": _Key("funnel_event_id", "F", 9),
    "support_tickets": _Key("ticket_id", "S", 9),
}

TRANSACTION_TYPES = ("new", "renewal", "expansion", "one_time", "refund")
EVENT_TYPES = ("login", "feature_use", "meeting", "email_reply")
CHANNELS = ("web", "app", "email", "phone", "in_person")
FUNNEL_STAGES = ("marketing", "sales", "support")
PRIORITIES = ("low", "normal", "high", "urgent")
TEAMS = ("enterprise", "commercial", "digital")


def key_codes(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Zero-padded ids such as C00000042, built as one fixed-width byte buffer (no row loop)."""
    numbers = np.asarray(numbers)
    # Unsigned 32-bit division is vectorised far better than 64-bit; keys stay below 2**32.
    small = len(numbers) == 0 or int(numbers.max()) < 2**32
    unsigned = np.uint32 if small else np.uint64
    rest = numbers.astype(unsigned)
    # Digits are computed one contiguous row per position, then transposed once.
    digits = np.empty((width, len(numbers)), dtype=np.uint8)
    for position in range(width - 1, -1, -1):
        rest, digit = np.divmod(rest, unsigned(10))
        np.add(digit, ord("0"), out=digits[position], casting="unsafe")
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    size = len(head) + width
    chars = np.empty((len(numbers), size), dtype=np.uint8)
    chars[:, : len(head)] = head
    chars[:, len(head) :] = digits.T
    offsets = np.arange(0, (len(numbers) + 1) * size, size, dtype=np.int32)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(chars)]
    return pa.Array.from_buffers(pa.string(), len(numbers), buffers)
