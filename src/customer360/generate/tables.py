"""How the rows are built from each chunk's cohort: the rows of each table, the
contract-breaking rows and the files.

Activity comes in bursts after each purchase on top of a thin base rate; after dropping out a
customer falls silent within weeks. Transactions start on TRANSACTIONS_START, other events on
HISTORY_START.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from customer360.generate.calibration import (
    BASE_ACTIVITY,
    BROWSING_RATE,
    CHANNEL_MIX,
    COUNTRIES,
    CSAT_MIX,
    DAY_SECONDS,
    END_DAY,
    EVENT_TYPE_MIX,
    EVENTS_AFTER_PURCHASE,
    EXTRA_TOUCHES,
    HISTORY_START_DAY,
    INDUSTRIES,
    NAME_FIRST,
    NAME_SECOND,
    NAME_SUFFIX,
    NO_SURVEY_SHARE,
    NULL_SHARE,
    OPEN_SHARE,
    OUT_OF_ORDER_SHARE,
    OWNER_FIRST,
    OWNER_LAST,
    PRIORITY_MIX,
    PURCHASE_SPREAD,
    PURCHASE_TYPES,
    REFUND_PART,
    REFUND_SHARE,
    REGIONS,
    RESOLUTION_MEDIAN_HOURS,
    SMALL_FIRST_PURCHASE,
    STAGE_GAP_DAYS,
    STAGE_SHARE,
    TEAM_MIX,
    TICKET_RATE,
    TRANSACTIONS_START_DAY,
    TYPE_WEIGHT,
    USE_AFTER_PURCHASE_DAYS,
)
from customer360.generate.cohort import Cohort
from customer360.generate.contract import (
    CHANNELS,
    EVENT_TYPES,
    FILE_FORMATS,
    FUNNEL_STAGES,
    KEYS,
    PRIORITIES,
    SCHEMAS,
    TABLES,
    TEAMS,
    TIMESTAMP,
    TRANSACTION_TYPES,
    key_codes,
)

# === Arrow building blocks ===================================================================


def _labels(values: Sequence[str], index: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(index, mask=null))


def _draw(rng: np.random.Generator, weights: Sequence[float], size: int) -> np.ndarray:
    cumulative = np.cumsum(weights) / np.sum(weights)
    return np.minimum(np.searchsorted(cumulative, rng.random(size), side="right"), len(weights) - 1)


def _draw_by_group(rng: np.random.Generator, mixes: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Draw a category per row from the mix of the row's group (a loop over groups, not rows)."""
    out = np.empty(len(group), dtype=np.int64)
    for number, mix in enumerate(mixes):
        members = group == number
        out[members] = _draw(rng, mix, int(members.sum()))
    return out


def time_of_day(rng: np.random.Generator, size: int) -> np.ndarray:
    # Working hours are busier than nights.
    return np.clip(rng.normal(13.5 * 3600, 3.5 * 3600, size), 0, DAY_SECONDS - 1).astype(np.int64)


def timestamps(seconds: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(seconds * 1_000_000, type=TIMESTAMP, mask=null)


def _money(cents: np.ndarray) -> pa.Array:
    """decimal(18,2) from integer cents: 128-bit little-endian words, high word = sign."""
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(words)])


def _customer_ids(cohort: Cohort, row_customer: np.ndarray) -> pa.Array:
    return cohort.ids.take(pa.array(row_customer))


def _unnumbered(size: int) -> pa.Array:
    """Key column placeholder: with_keys numbers the rows, continuing across chunks."""
    return pa.nulls(size, pa.string())


def _spread_days(
    rng: np.random.Generator, cohort: Cohort, per_customer: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows per customer as (customer, second): a uniform day in [start, last], a time of day."""
    customer = np.repeat(np.arange(cohort.size), per_customer)
    days = cohort.start[customer] + np.floor(
        rng.random(len(customer)) * cohort.engaged_days[customer]
    ).astype(np.int64)
    return customer, days * DAY_SECONDS + time_of_day(rng, len(customer))


def _chronological(customer: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Row order by customer, then time: files are sorted, and keys are numbered in that order."""
    offset = (
        seconds - (TRANSACTIONS_START_DAY - 400) * DAY_SECONDS
    )  # non-negative for every generated row
    return np.argsort((customer.astype(np.int64) << 27) + offset, kind="stable")


class Rows(NamedTuple):
    """A chunk's rows of one table, with what with_defects needs to know about them."""

    table: pa.Table
    is_large: np.ndarray  # per row: belongs to a large account (kept clean of defects)
    chunk: int  # its number in the run, from 0


# === Tables ==================================================================================


def account_owners(owners: int, rng: np.random.Generator) -> Rows:
    first = rng.integers(0, len(OWNER_FIRST), owners)
    last = rng.integers(0, len(OWNER_LAST), owners)
    table = pa.table(
        [
            _unnumbered(owners),
            pc.binary_join_element_wise(
                _labels(OWNER_FIRST, first), _labels(OWNER_LAST, last), " "
            ),
            _labels(TEAMS, _draw(rng, TEAM_MIX, owners)),
        ],
        schema=SCHEMAS["account_owners"],
    )
    return Rows(table, np.zeros(owners, dtype=bool), 0)


def _customers(cohort: Cohort, rng: np.random.Generator) -> Rows:
    size = cohort.size
    names = pc.binary_join_element_wise(
        _labels(NAME_FIRST, rng.integers(0, len(NAME_FIRST), size)),
        _labels(NAME_SECOND, rng.integers(0, len(NAME_SECOND), size)),
        _labels(NAME_SUFFIX, rng.integers(0, len(NAME_SUFFIX), size)),
        " ",
    )
    country = _draw(rng, [weight for _, _, weight in COUNTRIES], size)
    region = np.array([region for _, region, _ in COUNTRIES])[country]
    # Enterprise accounts employ thousands, small customers tens.
    employees = rng.lognormal(np.where(cohort.is_large, np.log(1_500), np.log(25)), 1.0)
    owner_ids = key_codes("AO", cohort.owner + 1, KEYS["account_owners"].width)
    table = pa.table(
        [
            cohort.ids,
            names,
            _labels(
                INDUSTRIES, rng.integers(0, len(INDUSTRIES), size), _nulls(rng, "industry", size)
            ),
            _labels(REGIONS, region, _nulls(rng, "region", size)),
            _labels([code for code, _, _ in COUNTRIES], country, _nulls(rng, "country_code", size)),
            pa.array(employees.astype(np.int32), mask=_nulls(rng, "employee_count", size)),
            pa.array(cohort.signup.astype(np.int32), type=pa.date32()),
            pc.if_else(pa.array(cohort.owner < 0), pa.scalar(None, pa.string()), owner_ids),
        ],
        schema=SCHEMAS["customers"],
    )
    return Rows(table, cohort.is_large, cohort.chunk)


def _nulls(rng: np.random.Generator, column: str, size: int) -> np.ndarray:
    return rng.random(size) < NULL_SHARE[column]


def _transactions(cohort: Cohort, rng: np.random.Generator) -> Rows:
    """The planned purchases of each buyer that fall in the files' history, plus refunds."""
    plan = cohort.purchases
    customer = plan.row_customer
    seconds = plan.row_day * DAY_SECONDS + time_of_day(rng, len(customer))
    order = _chronological(customer, seconds)
    customer, seconds = customer[order], seconds[order]

    kind = _purchase_types(rng, cohort, customer)
    amount = plan.typical[customer] * rng.lognormal(0, PURCHASE_SPREAD, len(customer))
    amount = amount * TYPE_WEIGHT[kind]
    set_up = (kind == 0) & ~cohort.is_large[customer]
    amount[set_up] = rng.uniform(*SMALL_FIRST_PURCHASE, int(set_up.sum()))
    cents = np.maximum(np.round(amount * 100), 500).astype(np.int64)

    customer, seconds, kind, cents = _with_refunds(rng, cohort, customer, seconds, kind, cents)
    table = pa.table(
        [
            _unnumbered(len(customer)),
            _customer_ids(cohort, customer),
            timestamps(seconds),
            _money(cents),
            _labels(TRANSACTION_TYPES, kind),
        ],
        schema=SCHEMAS["transactions"],
    )
    return Rows(table, cohort.is_large[customer], cohort.chunk)


def _purchase_types(rng: np.random.Generator, cohort: Cohort, customer: np.ndarray) -> np.ndarray:
    mixes = np.array([PURCHASE_TYPES["large"], PURCHASE_TYPES["small"]])
    kind = 1 + _draw_by_group(rng, mixes, np.where(cohort.is_large[customer], 0, 1))
    # A customer's first purchase, when it lies within the history, is its "new" deal.
    first_row = np.r_[True, customer[1:] != customer[:-1]]
    kind[first_row & (cohort.purchases.first_day[customer] >= TRANSACTIONS_START_DAY)] = 0
    return kind


def _with_refunds(
    rng: np.random.Generator,
    cohort: Cohort,
    customer: np.ndarray,
    seconds: np.ndarray,
    kind: np.ndarray,
    cents: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Add a partial or full refund after some purchases, never after the customer's last day."""
    refunded = np.flatnonzero(rng.random(len(customer)) < REFUND_SHARE)
    who = customer[refunded]
    delay = rng.integers(3_600, 20 * DAY_SECONDS, len(refunded))
    latest = cohort.last[who] * DAY_SECONDS + DAY_SECONDS - 1
    when = np.minimum(seconds[refunded] + delay, latest)
    back = -np.maximum(np.round(cents[refunded] * rng.uniform(*REFUND_PART, len(refunded))), 100)
    customer = np.concatenate([customer, who])
    seconds = np.concatenate([seconds, when])
    kind = np.concatenate([kind, np.full(len(who), TRANSACTION_TYPES.index("refund"))])
    cents = np.concatenate([cents, back.astype(np.int64)])
    order = _chronological(customer, seconds)
    return customer[order], seconds[order], kind[order], cents[order]


def _activity_events(cohort: Cohort, rng: np.random.Generator) -> Rows:
    """Logins, feature use, meetings and replies: a thin base, and bursts after each purchase."""
    base = np.select(
        [~cohort.buys, cohort.is_large], [BROWSING_RATE, BASE_ACTIVITY[0]], BASE_ACTIVITY[1]
    )
    events = rng.poisson(base * cohort.engaged_days)
    # Non-buyers have no purchase on their last day, so an event marks it.
    events = events + (~cohort.buys & (cohort.engaged_days > 0))
    customer, seconds = _spread_days(rng, cohort, events)
    lasts = (np.cumsum(events) - events)[~cohort.buys & (cohort.engaged_days > 0)]
    seconds[lasts] = cohort.last[customer[lasts]] * DAY_SECONDS + seconds[lasts] % DAY_SECONDS
    # Most use comes in the weeks after a purchase: onboarding a renewal, using what was bought.
    plan = cohort.purchases
    after = rng.poisson(np.where(cohort.is_large, *EVENTS_AFTER_PURCHASE)[plan.row_customer])
    buyer = np.repeat(plan.row_customer, after)
    day = np.repeat(plan.row_day, after) + rng.integers(0, USE_AFTER_PURCHASE_DAYS, len(buyer))
    day = np.minimum(day, cohort.last[buyer])
    seen = day >= HISTORY_START_DAY
    customer = np.concatenate([customer, buyer[seen]])
    seconds = np.concatenate([seconds, day[seen] * DAY_SECONDS + time_of_day(rng, seen.sum())])
    order = _chronological(customer, seconds)
    customer, seconds = customer[order], seconds[order]
    mixes = np.array([EVENT_TYPE_MIX["large"], EVENT_TYPE_MIX["small"]])
    event_type = _draw_by_group(rng, mixes, np.where(cohort.is_large[customer], 0, 1))
    channel = _draw_by_group(rng, CHANNEL_MIX, event_type)
    table = pa.table(
        [
            _unnumbered(len(customer)),
            _customer_ids(cohort, customer),
            timestamps(seconds),
            _labels(EVENT_TYPES, event_type),
            _labels(CHANNELS, channel),
        ],
        schema=SCHEMAS["activity_events"],
    )
    return Rows(table, cohort.is_large[customer], cohort.chunk)


def _funnel_events(cohort: Cohort, rng: np.random.Generator) -> Rows:
    """Marketing, then sales days to weeks later, then support; some stages never happen."""
    size = cohort.size
    room = np.maximum(cohort.engaged_days - 60, 1)
    marketing_day = cohort.start + np.floor(rng.random(size) * room).astype(np.int64)
    to_sales = np.ceil(rng.lognormal(np.log(STAGE_GAP_DAYS[0]), 0.7, size)).astype(np.int64)
    to_support = np.ceil(rng.lognormal(np.log(STAGE_GAP_DAYS[1]), 0.7, size)).astype(np.int64)
    swapped = rng.random(size) < OUT_OF_ORDER_SHARE
    sales_day = marketing_day + np.where(swapped, -to_sales, to_sales)
    first_day = np.stack([marketing_day, sales_day, sales_day + to_support])
    shares = np.array([STAGE_SHARE["buyer"], STAGE_SHARE["browser"]])[np.where(cohort.buys, 0, 1)]
    present = (rng.random((size, 3)) < shares) & (cohort.engaged_days > 0)[:, None]
    touches = present.T * (1 + rng.poisson(EXTRA_TOUCHES, (3, size)))

    customers, stages, days = [], [], []
    for stage in range(3):  # three stages, each vectorised over customers
        customer = np.repeat(np.arange(size), touches[stage])
        repeat = np.r_[False, customer[1:] == customer[:-1]]
        later = np.where(repeat, rng.integers(1, 30, len(customer)), 0)
        customers.append(customer)
        stages.append(np.full(len(customer), stage))
        days.append(first_day[stage][customer] + later)
    customer, stage, day = (np.concatenate(parts) for parts in (customers, stages, days))
    day = np.clip(day, cohort.start[customer], cohort.last[customer])
    seconds = day * DAY_SECONDS + time_of_day(rng, len(customer))
    order = _chronological(customer, seconds)
    customer, stage, seconds = customer[order], stage[order], seconds[order]
    table = pa.table(
        [
            _unnumbered(len(customer)),
            _customer_ids(cohort, customer),
            _labels(FUNNEL_STAGES, stage),
            timestamps(seconds),
        ],
        schema=SCHEMAS["funnel_events"],
    )
    return Rows(table, cohort.is_large[customer], cohort.chunk)


def _support_tickets(cohort: Cohort, rng: np.random.Generator) -> Rows:
    """Tickets opened over the engaged days; most resolved within a day or two, some still open."""
    profile = np.select([cohort.is_large, cohort.buys], [0, 1], 2)
    tickets = rng.poisson(np.array(TICKET_RATE)[profile] * cohort.engaged_days)
    customer, opened = _spread_days(rng, cohort, tickets)
    order = _chronological(customer, opened)
    customer, opened = customer[order], opened[order]
    size = len(customer)
    hours = rng.lognormal(np.log(RESOLUTION_MEDIAN_HOURS), 1.1, size)
    resolved = opened + np.clip(hours * 3600, 600, 30 * DAY_SECONDS).astype(np.int64)
    # A ticket that would close after END_DATE is still open on it.
    still_open = (rng.random(size) < OPEN_SHARE) | (resolved >= (END_DAY + 1) * DAY_SECONDS)
    no_answer = still_open | (rng.random(size) < NO_SURVEY_SHARE)
    csat = 1 + _draw(rng, CSAT_MIX, size)
    table = pa.table(
        [
            _unnumbered(size),
            _customer_ids(cohort, customer),
            timestamps(opened),
            timestamps(resolved, still_open),
            _labels(PRIORITIES, _draw(rng, PRIORITY_MIX, size)),
            pa.array(csat.astype(np.int32), mask=no_answer),
        ],
        schema=SCHEMAS["support_tickets"],
    )
    return Rows(table, cohort.is_large[customer], cohort.chunk)


CHUNK_BUILDERS: dict[str, Callable[[Cohort, np.random.Generator], Rows]] = {
    "customers": _customers,
    "transactions": _transactions,
    "activity_events": _activity_events,
    "funnel_events": _funnel_events,
    "support_tickets": _support_tickets,
}


# === Contract-breaking rows ==================================================================

_Mutation = Callable[[pa.Table, np.random.Generator], pa.Table]


def _unchanged(rows: pa.Table, rng: np.random.Generator) -> pa.Table:
    return rows


def replace_column(rows: pa.Table, column: str, values: pa.Array) -> pa.Table:
    return rows.set_column(rows.schema.get_field_index(column), column, values)


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


def with_keys(table: str, rows: Rows, next_key: dict[str, int]) -> Rows:
    """Number the rows' keys after those of earlier chunks (customers are numbered already)."""
    if table == "customers":
        return rows
    key = KEYS[table]
    numbers = next_key[table] + np.arange(rows.table.num_rows)
    next_key[table] += rows.table.num_rows
    return rows._replace(
        table=replace_column(rows.table, key.column, key_codes(key.prefix, numbers, key.width))
    )


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


# === Files ===================================================================================


class _Sink:
    """One table's file, written chunk by chunk under a temporary name."""

    def __init__(self, path: Path, table: str, file_format: str) -> None:
        self.path = path
        self.partial = path.with_name(f".{path.name}.partial")
        schema = SCHEMAS[table]
        self.writer: pq.ParquetWriter | pacsv.CSVWriter
        if file_format == "csv":
            # CSV timestamps are written as 'YYYY-MM-DD HH:MM:SS': whole seconds, no fraction.
            second = pa.timestamp("s")
            schema = pa.schema([f.with_type(second) if f.type == TIMESTAMP else f for f in schema])
            options = pacsv.WriteOptions(quoting_header="none")
            self.writer = pacsv.CSVWriter(self.partial, schema, write_options=options)
        else:
            self.writer = pq.ParquetWriter(self.partial, schema, compression="zstd")
        self.schema = schema

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table.cast(self.schema))

    def finish(self) -> None:
        self.writer.close()
        self.partial.replace(self.path)

    def discard(self) -> None:
        try:
            self.writer.close()
        finally:
            self.partial.unlink(missing_ok=True)


class Output:
    """The six files of one run: complete files appear only once every table is written.

    On success, a file of the same table in the other format is removed: the dbt project prefers
    Parquet when both exist, so a stale file would shadow (or hide behind) the new one.
    """

    def __init__(self, out_dir: Path, file_format: str) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.stale = [
            out_dir / f"{table}.{other}"
            for table in TABLES
            for other in FILE_FORMATS
            if other != file_format
        ]
        self.sinks: dict[str, _Sink] = {}
        try:
            for table in TABLES:
                self.sinks[table] = _Sink(out_dir / f"{table}.{file_format}", table, file_format)
        except BaseException:
            self._discard()
            raise

    def write(self, table: str, rows: pa.Table) -> None:
        self.sinks[table].write(rows)

    def __enter__(self) -> Output:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        if error_type is not None:
            self._discard()
            return
        for sink in self.sinks.values():
            sink.finish()
        for path in self.stale:
            path.unlink(missing_ok=True)

    def _discard(self) -> None:
        for sink in self.sinks.values():
            sink.discard()
