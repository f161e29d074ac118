"""The rows of each raw table, built from a chunk's cohort with numpy and Arrow, no row loops.

Transactions are the cohort's planned purchases plus refunds. Activity comes in bursts after
each purchase on top of a thin base rate; after dropping out a customer falls silent within
weeks. Funnel touches and support tickets spread over each customer's engaged days.
Transactions start on TRANSACTIONS_START, other events on HISTORY_START. Keys are numbered last
(`with_keys`), continuing across chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
    FUNNEL_STAGES,
    KEYS,
    PRIORITIES,
    SCHEMAS,
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


def replace_column(rows: pa.Table, column: str, values: pa.Array) -> pa.Table:
    return rows.set_column(rows.schema.get_field_index(column), column, values)


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
