"""The raw source contract that the generator writes (SPEC section 2).

The tables, their columns and types, and their keys are read from the one declaration dbt
loads and checks the files against: the `customer360` source in
models/staging/customer360/_customer360__sources.yml (its tables without `meta.generated`). A
column added there is generated here and expected by the tests. What only the generator
decides lives below: each key's prefix and zero-padded width, and the values of the enumerated
columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import yaml

from customer360.settings import find_project_dir

SOURCE = "customer360"
SOURCES_YAML = Path("models/staging/customer360/_customer360__sources.yml")
FILE_FORMATS = ("parquet", "csv")

TIMESTAMP = pa.timestamp("us")
# The source YAML's data types as Arrow writes them (Parquet keeps them; CSV prints them).
ARROW_TYPES = {
    "varchar": pa.string(),
    "integer": pa.int32(),
    "date": pa.date32(),
    "timestamp": TIMESTAMP,
    "decimal(18,2)": pa.decimal128(18, 2),
}


class ContractError(ValueError):
    """The source YAML declares something the generator cannot write."""


def source_tables(project_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """The raw tables of the dbt source, in YAML order (the generated bookkeeping tables left
    out), each with its `columns` and `meta` (key, required)."""
    path = (project_dir or find_project_dir()) / SOURCES_YAML
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    (source,) = [s for s in document["sources"] if s["name"] == SOURCE]
    return {
        table["name"]: table
        for table in source["tables"]
        if not (table.get("meta") or {}).get("generated")
    }


def arrow_schema(table: str, declaration: dict[str, Any]) -> pa.Schema:
    fields = []
    for column in declaration["columns"]:
        data_type = str(column.get("data_type", "")).replace(" ", "").lower()
        if data_type not in ARROW_TYPES:
            raise ContractError(
                f"{SOURCES_YAML}: {table}.{column['name']} has data_type "
                f"{column.get('data_type')!r}; the generator writes {', '.join(ARROW_TYPES)}"
            )
        fields.append((column["name"], ARROW_TYPES[data_type]))
    return pa.schema(fields)


_DECLARED = source_tables()
TABLES = tuple(_DECLARED)
SCHEMAS: dict[str, pa.Schema] = {
    table: arrow_schema(table, declaration) for table, declaration in _DECLARED.items()
}


class _Key(NamedTuple):
    column: str
    prefix: str
    width: int


# Each table's key column is the source's `meta.key`; its codes are the generator's choice.
# Widths leave room for 10M customers at the volumes below (about 50 raw rows per customer).
_KEY_CODES = {
    "customers": ("C", 8),
    "account_owners": ("AO", 6),
    "transactions": ("T", 10),
    "activity_events": ("E", 10),
    "funnel_events": ("F", 9),
    "support_tickets": ("S", 9),
}
KEYS: dict[str, _Key] = {
    table: _Key(_DECLARED[table]["meta"]["key"], *_KEY_CODES[table]) for table in TABLES
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
