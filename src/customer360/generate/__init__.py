"""Deterministic demo data in the raw source contract (SPEC section 2).

`generate_raw_data` writes the six raw tables (customers, account_owners, transactions,
activity_events, funnel_events, support_tickets) as one Parquet or CSV file each. The data is a
pure function of (customers, seed, file_format, bad_row_rate): there is no wall clock, history ends
on END_DATE, and every random draw comes from a numpy stream derived from the seed with a fixed
key per table and chunk of customers, so equal inputs give byte-identical files.

Generation is vectorised with numpy and written with pyarrow in chunks of CHUNK_CUSTOMERS
customers, so memory stays flat from 1,000 to 10,000,000 customers.

This module runs a generation: its options, random streams and chunks. The package's modules
hold the parts:
- `contract`: the raw tables' columns, types, keys and enumerated values.
- `calibration`: the figures that shape the demo (dates, rates, mixes, names).
- `cohort`: who the customers are and when they buy.
- `tables`: the rows of each table, built from a chunk's cohort.
- `defects`: the contract-breaking rows added on purpose.
- `output`: the files, which appear only once every table is written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from tqdm import tqdm

from customer360.generate.calibration import (
    DEFAULT_CUSTOMERS,
    END_DATE,
    HISTORY_START,
    TRANSACTIONS_START,
)
from customer360.generate.cohort import Books, plan_books, plan_cohort
from customer360.generate.contract import FILE_FORMATS, KEYS, SCHEMAS, TABLES
from customer360.generate.defects import with_defects
from customer360.generate.output import Output
from customer360.generate.tables import CHUNK_BUILDERS, Rows, account_owners, with_keys

__all__ = [
    "CHUNK_CUSTOMERS",
    "DEFAULT_BAD_ROW_RATE",
    "DEFAULT_CUSTOMERS",
    "DEFAULT_SEED",
    "END_DATE",
    "FILE_FORMATS",
    "HISTORY_START",
    "KEYS",
    "MAX_BAD_ROW_RATE",
    "MAX_CUSTOMERS",
    "MIN_CUSTOMERS",
    "SCHEMAS",
    "TABLES",
    "TRANSACTIONS_START",
    "generate_raw_data",
]

DEFAULT_SEED = 42
MIN_CUSTOMERS = 1_000
MAX_CUSTOMERS = 10_000_000
DEFAULT_BAD_ROW_RATE = 0.0005
MAX_BAD_ROW_RATE = 0.05
CHUNK_CUSTOMERS = 250_000

_STREAMS = {
    name: number
    for number, name in enumerate(("books", "cohort", *TABLES, "defects", "onboarding"))
}


def generate_raw_data(
    out_dir: Path,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    file_format: str = "parquet",
    show_progress: bool = True,
    bad_row_rate: float = DEFAULT_BAD_ROW_RATE,
) -> dict[str, int]:
    """Write the six raw tables to out_dir/<table>.<parquet|csv>; return rows written per table.

    Files appear only when every table is complete (written under temporary names, then
    renamed); a file of the same table in the other format is removed. `bad_row_rate` is the
    share of rows per table that break the contract on purpose, spread over the kinds in
    `defects._DEFECTS` with at least one row per kind and chunk of customers; 0 disables them.
    Raises ValueError for a size outside MIN_CUSTOMERS..MAX_CUSTOMERS, an unknown file format,
    a negative seed or a bad_row_rate outside 0..MAX_BAD_ROW_RATE.
    """
    _validate(customers, seed, file_format, bad_row_rate)
    books = plan_books(customers, _rng(seed, "books"))
    starts = range(0, customers, CHUNK_CUSTOMERS)
    counts = dict.fromkeys(TABLES, 0)
    # Defect rows that need a new key take the next free number; customers' clean keys are fixed
    # by position, so theirs start after the last customer.
    next_key = dict.fromkeys(TABLES, 1) | {"customers": customers + 1}
    progress = tqdm(
        total=1 + len(starts) * (len(TABLES) - 1),
        desc=f"generating {customers:,} customers",
        unit="table",
        file=sys.stderr,
        disable=not show_progress,
    )
    with progress, Output(Path(out_dir), file_format) as output:
        for table, rows in _all_rows(books, seed, starts):
            rows = with_keys(table, rows, next_key)
            defects_rng = _rng(seed, "defects", _STREAMS[table], rows.chunk)
            written = with_defects(table, rows, defects_rng, bad_row_rate, next_key)
            output.write(table, written)
            counts[table] += written.num_rows
            progress.update()
    return counts


def _validate(customers: int, seed: int, file_format: str, bad_row_rate: float) -> None:
    if isinstance(customers, bool) or not isinstance(customers, int):
        raise ValueError(f"customers must be an integer, got {customers!r}")
    if not MIN_CUSTOMERS <= customers <= MAX_CUSTOMERS:
        raise ValueError(
            f"customers must be between {MIN_CUSTOMERS:,} and {MAX_CUSTOMERS:,}, got {customers:,}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if file_format not in FILE_FORMATS:
        raise ValueError(
            f"file_format must be one of {', '.join(FILE_FORMATS)}, got {file_format!r}"
        )
    if not 0.0 <= bad_row_rate <= MAX_BAD_ROW_RATE:
        raise ValueError(
            f"bad_row_rate must be between 0 and {MAX_BAD_ROW_RATE}, got {bad_row_rate}"
        )


def _rng(seed: int, stream: str, *key: int) -> np.random.Generator:
    """An independent stream per (purpose, chunk): a chunk's rows never depend on other chunks."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAMS[stream], *key)))


def _all_rows(books: Books, seed: int, starts: range) -> Iterator[tuple[str, Rows]]:
    """Each table's rows chunk by chunk: the owners first, then every table of each chunk."""
    yield "account_owners", account_owners(books.owners, _rng(seed, "account_owners"))
    total = len(books.owner)
    for chunk, first in enumerate(starts):
        stop = min(first + CHUNK_CUSTOMERS, total)
        cohort = plan_cohort(
            books, chunk, first, stop, _rng(seed, "cohort", chunk), _rng(seed, "onboarding", chunk)
        )
        for table, build in CHUNK_BUILDERS.items():
            yield table, build(cohort, _rng(seed, table, chunk))
