"""Who the customers are and how they buy: owners' books, purchase plans and chunk cohorts.

Customers buy and leave by a mechanism, so that forecasts fitted on the history have something
real to learn (SPEC section 8). Every buyer follows a BG/NBD process: a first purchase some days
after signing up, then repeat purchases as a Poisson process at its own rate, and after each
repeat purchase it drops out for good with its own probability. Rates are gamma and dropout
probabilities beta distributed across customers, with parameters per profile: large accounts
(four per owner's book, billed monthly to yearly for a yearly contract value, dropping out after
about one purchase in five) and small buyers (a set-up purchase, then repeats every two months
or so, capped below the Gold bound, dropping out after about one in twelve); some small
customers never buy. The process is simulated exactly up to END_DATE (see `_plan_purchases`),
with no shaping of the last months, so the past predicts the future as a model would expect.

A chunk's `Cohort` holds that history's shape (sign-up, engaged days, purchases), which all of
the chunk's tables share.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from customer360.generate.calibration import (
    AFTERGLOW_DAYS,
    CUSTOMER_SPREAD,
    CUSTOMERS_PER_OWNER,
    DROPOUT_BETA,
    END_DAY,
    FIRST_PURCHASE_DELAY_DAYS,
    HISTORY_START_DAY,
    LARGE_PER_BOOK,
    LARGE_YEAR_MEDIAN,
    LAST_DORMANT_DAY,
    ONBOARDING_BURST,
    POOLED_LARGE_SHARE,
    PURCHASE_RATE_FLOOR,
    PURCHASE_RATE_MEAN,
    PURCHASE_RATE_SHAPE,
    RECENT_SIGNUP_SHARE,
    SIGNUP_SPAN_DAYS,
    SMALL_BUDGET_MEDIAN,
    SMALL_BUYER_SHARE,
    SMALL_YEAR_CAP,
    TRANSACTIONS_START_DAY,
    TRIAL_DAYS,
    UNASSIGNED_SHARE,
)
from customer360.generate.contract import KEYS, key_codes


@dataclass(frozen=True)
class Books:
    """Which owner holds each customer (-1: unassigned pool) and which accounts are large."""

    owner: np.ndarray
    is_large: np.ndarray
    owners: int


def plan_books(customers: int, rng: np.random.Generator) -> Books:
    owners = max(1, round(customers / CUSTOMERS_PER_OWNER))
    unassigned = rng.random(customers) < UNASSIGNED_SHARE
    # Uneven weights give books of roughly 20 to 60 customers around the mean.
    weight = rng.uniform(0.5, 1.5, owners)
    owner = np.searchsorted(np.cumsum(weight / weight.sum()), rng.random(customers), side="right")
    owner = np.where(unassigned, -1, np.minimum(owner, owners - 1)).astype(np.int32)
    # LARGE_PER_BOOK large accounts per book (its biggest customers, each above 5% of it while
    # it buys): the first members of each book in a random order.
    order = rng.permutation(customers)
    is_large = np.zeros(customers, dtype=bool)
    for _ in range(LARGE_PER_BOOK):
        held, first_seen = np.unique(np.where(is_large[order], -2, owner[order]), return_index=True)
        is_large[order[first_seen[held >= 0]]] = True
    is_large |= unassigned & (rng.random(customers) < POOLED_LARGE_SHARE)
    # The first customer is large and active on END_DATE, so the default as_of_date is END_DATE.
    is_large[0] = True
    return Books(owner=owner, is_large=is_large, owners=owners)


@dataclass(frozen=True)
class Cohort:
    """One chunk of customers and the shape of their history, shared by all their tables.

    Days are day numbers since 1970-01-01. Every event of a customer in the files falls in
    [start, last]; a customer whose whole life lies before HISTORY_START has last < start and
    no events. Purchases follow the plan of `_plan_purchases`.
    """

    chunk: int  # its number in the run, from 0
    first: int
    owner: np.ndarray
    is_large: np.ndarray
    signup: np.ndarray
    start: np.ndarray
    last: np.ndarray
    buys: np.ndarray  # has a purchase in the files
    purchases: _Purchases

    @cached_property
    def ids(self) -> pa.Array:
        """customer_id per customer of the chunk: C + its 1-based position among all customers."""
        numbers = np.arange(self.first + 1, self.first + self.size + 1)
        return key_codes("C", numbers, KEYS["customers"].width)

    @property
    def size(self) -> int:
        return len(self.signup)

    @property
    def engaged_days(self) -> np.ndarray:
        return np.maximum(self.last - self.start + 1, 0)


class _Purchases(NamedTuple):
    """Each customer's purchases up to END_DATE, as drawn from the BG/NBD process.

    A buyer's first purchase is on `first_day`; `repeats` repeat purchases follow, the last of
    them on `last_day` and the others uniform between (a Poisson process seen up to its last
    event). `alive` is false once the customer dropped out. Non-buyers have repeats = -1.
    """

    first_day: np.ndarray
    last_day: np.ndarray
    repeats: np.ndarray
    alive: np.ndarray
    rate: np.ndarray  # repeat purchases per day while alive
    typical: np.ndarray  # typical amount of one purchase (currency units)
    row_customer: np.ndarray  # one entry per purchase in the files: the customer ...
    row_day: np.ndarray  # ... and the day, in customer order (not sorted by day)


def _plan_purchases(
    rng: np.random.Generator, signup: np.ndarray, is_large: np.ndarray, buys: np.ndarray
) -> _Purchases:
    """Draw each buyer's rate, dropout probability and spend, and its purchases up to END_DATE.

    With rate lambda over the S days from the first purchase to END_DATE, n ~ Poisson(lambda S)
    repeat purchases would happen if the customer never dropped out; it drops out after the
    R-th, R ~ Geometric(p). So min(R, n) repeats are seen; the last of them is the k-th of n
    uniform order statistics on S, Beta(k, n - k + 1) S, and the earlier ones uniform before it.
    """
    size = len(signup)
    profile = np.where(is_large, 0, 1)
    shape = np.array(PURCHASE_RATE_SHAPE)[profile]
    rate = rng.gamma(shape, np.array(PURCHASE_RATE_MEAN)[profile] / shape)
    rate = np.maximum(rate, PURCHASE_RATE_FLOOR)
    beta = np.array(DROPOUT_BETA)[profile]
    dropout = rng.beta(beta[:, 0], beta[:, 1])
    first_day = signup + np.floor(rng.exponential(FIRST_PURCHASE_DELAY_DAYS, size)).astype(np.int64)
    span = np.maximum(END_DAY - first_day, 0)
    possible = rng.poisson(rate * span)
    until_dropout = rng.geometric(np.clip(dropout, 1e-6, 1.0))
    repeats = np.minimum(possible, until_dropout)
    alive = until_dropout > possible
    share = rng.beta(np.maximum(repeats, 1), possible - repeats + 1)
    last_day = first_day + np.where(repeats > 0, np.floor(share * span), 0).astype(np.int64)

    level = rng.lognormal(0, np.array(CUSTOMER_SPREAD)[profile])
    per_year = 365 * rate
    contract = LARGE_YEAR_MEDIAN * level / per_year
    cap = rng.uniform(*SMALL_YEAR_CAP, size) / per_year
    budget = np.minimum(SMALL_BUDGET_MEDIAN * level * dropout, cap)
    typical = np.where(is_large, contract, budget)

    in_files = buys & (first_day <= END_DAY) & (last_day >= TRANSACTIONS_START_DAY)
    repeats = np.where(in_files, repeats, -1)
    return _Purchases(first_day, last_day, repeats, alive & in_files, rate, typical, *_NO_ROWS)


_NO_ROWS = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def _purchase_days(
    rng: np.random.Generator, plan: _Purchases, onboarding: np.ndarray
) -> _Purchases:
    """The plan with its rows in the files: the first purchase, the last repeat, those between,
    and the onboarding add-ons (`onboarding`: extra purchases per customer, after the first)."""
    drawn = np.where(plan.repeats >= 0, 1 + plan.repeats, 0)
    customer = np.repeat(np.arange(len(drawn)), drawn)
    position = np.arange(len(customer)) - np.repeat(np.cumsum(drawn) - drawn, drawn)
    first, last = plan.first_day[customer], plan.last_day[customer]
    between = first + np.floor(rng.random(len(customer)) * (last - first + 1)).astype(np.int64)
    day = np.select([position == 0, position == 1], [first, last], between)
    extra = np.where(plan.repeats >= 0, onboarding, 0)
    added = np.repeat(np.arange(len(extra)), extra)
    added_day = plan.first_day[added] + 1 + (np.arange(len(added)) % ONBOARDING_BURST[2])
    customer, day = np.r_[customer, added], np.r_[day, np.minimum(added_day, END_DAY)]
    kept = day >= TRANSACTIONS_START_DAY
    return plan._replace(row_customer=customer[kept], row_day=day[kept])


def plan_cohort(
    books: Books,
    chunk: int,
    first: int,
    stop: int,
    rng: np.random.Generator,
    extra: np.random.Generator,
) -> Cohort:
    size = stop - first
    is_large = books.is_large[first:stop]
    recent = rng.random(size) < RECENT_SIGNUP_SHARE
    age = np.where(
        recent,
        rng.integers(0, END_DAY - LAST_DORMANT_DAY, size),
        rng.integers(END_DAY - LAST_DORMANT_DAY, np.where(is_large, *SIGNUP_SPAN_DAYS), size),
    )
    signup = END_DAY - age
    wants = is_large | (rng.random(size) < SMALL_BUYER_SHARE)
    if first == 0:
        signup[0] = min(signup[0], TRANSACTIONS_START_DAY)
    plan = _plan_purchases(rng, signup, is_large, wants)
    share, (low, high), _ = ONBOARDING_BURST
    bursts = ~is_large & (extra.random(size) < share)
    onboarding = np.where(bursts, extra.integers(low, high + 1, size), 0)
    if first == 0:
        # The first customer buys on END_DATE, so the default as_of_date is END_DATE.
        plan.last_day[0], plan.alive[0] = END_DAY, True
        plan.repeats[0] = max(plan.repeats[0], 1)
    plan = _purchase_days(rng, plan, onboarding)
    buys = plan.repeats >= 0
    start = np.maximum(signup, HISTORY_START_DAY)
    afterglow = np.floor(rng.exponential(AFTERGLOW_DAYS, size)).astype(np.int64)
    trial = np.floor(rng.exponential(TRIAL_DAYS, size)).astype(np.int64)
    last = np.select(
        [plan.alive, buys, wants],
        [END_DAY, plan.last_day + afterglow, plan.last_day + afterglow],
        signup + trial,
    )
    last = np.minimum(last, END_DAY)
    return Cohort(chunk, first, books.owner[first:stop], is_large, signup, start, last, buys, plan)
