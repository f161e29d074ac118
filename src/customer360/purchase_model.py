"""Value forecasts per customer and snapshot: BG/NBD purchases with Gamma-Gamma spend.

For each snapshot date T the model sees only accepted transactions dated <= T of customers who
signed up by T (point in time, SPEC sections 7 and 8), as int_customer_snapshots_sources_joined
holds them: the purchase days of int_customer_snapshots_transactions_aggregated, computed for
every snapshot in one pass. From them, the inputs of the two models (time unit: days):

- a purchase day is a day with at least one transaction of amount > 0; its value is the sum of
  those positive amounts (refunds are not purchases);
- frequency = purchase days after the first; recency = days from the first to the last purchase
  day; T = days from the first purchase day to the snapshot date;
- monetary_value = mean value of the repeat purchase days (the first is left out, as Gamma-Gamma
  assumes);
- gross = sum of positive amounts, net = sum of all amounts (refunds included).

pymc-marketing's BetaGeoModel (BG/NBD) and GammaGammaModel are fitted by maximum a posteriori
(`fit(method="map")`, no MCMC) on a seeded sample of the snapshot's buyers (md5 of the customer
id and the seed, so the sample is the same on every run with the same inputs), then applied to
every customer in chunks read from DuckDB:

- p_alive = P(still active at T | frequency, recency, T);
- predicted_purchases_365d = expected purchase days in (T, T + 365];
- predicted_revenue_365d = predicted purchases x expected spend per purchase day (Gamma-Gamma's
  conditional mean: the population mean for a customer without repeat purchases) x the sample's
  net / gross ratio, so the forecast is net of refunds as realised revenue is. The population
  ratio is used rather than each customer's own: one refund of a customer with two purchases
  would otherwise halve its forecast.

A customer without any purchase by T has no purchase process to extrapolate: p_alive is NULL and
both predictions are 0. A snapshot with fewer than MIN_BUYERS buyers in its sample, or fewer than
MIN_REPEAT_BUYERS repeat buyers, gets NULL forecasts (too little data to fit; one warning names
how many snapshots, from when to when, and the latest one's counts). Parameters that are not
finite and positive fail the build with a message naming the snapshot and the parameter.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

LOGGER = logging.getLogger(__name__)

HORIZON_DAYS = 365
MIN_BUYERS = 100
MIN_REPEAT_BUYERS = 50
# Parameters beyond this bound mean the optimiser ran off to infinity (a flat likelihood).
MAX_PARAMETER = 1e8
DEFAULT_SAMPLE_CUSTOMERS = 20_000
DEFAULT_CHUNK_CUSTOMERS = 200_000
BG_NBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "v")

OUTPUT_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("snapshot_date", pa.date32()),
        ("p_alive", pa.float64()),
        ("predicted_purchases_365d", pa.float64()),
        ("predicted_revenue_365d", pa.float64()),
    ]
)


class PurchaseModelError(RuntimeError):
    """The purchase model could not be fitted for a snapshot (a message names it)."""


def snapshot_sql(customers: str) -> str:
    """The model inputs of every customer present at snapshot `$snapshot_date`.

    `customers` names a relation with the columns of int_customer_snapshots_sources_joined:
    one row per customer and snapshot with the purchase days dated <= the snapshot (how many,
    their value, the first and last, the first one's value) and lifetime_revenue.
    """
    return f"""
    select
        customer_id,
        cast(case when purchase_days > 0 then purchase_days - 1 end as double) as frequency,
        cast(date_diff('day', first_purchase_date, last_purchase_date) as double) as recency,
        cast(date_diff('day', first_purchase_date, snapshot_date) as double) as "T",
        case
            when purchase_days > 1 then cast(
                (purchase_value - first_purchase_day_value) / (purchase_days - 1) as double
            )
            when purchase_days = 1 then 0.0
        end as monetary_value,
        cast(purchase_value as double) as gross,
        cast(lifetime_revenue as double) as net
    from {customers}
    where snapshot_date = $snapshot_date
    """


SAMPLE_SQL = """
    select customer_id, frequency, recency, "T", monetary_value, gross, net
    from purchase_model_snapshot
    where frequency is not null
    order by md5(customer_id || ':' || cast($seed as varchar)), customer_id
    limit $sample
"""

CUSTOMERS_SQL = """
    select customer_id, frequency, recency, "T", monetary_value
    from purchase_model_snapshot
"""


@dataclass(frozen=True)
class PurchaseFit:
    """The fitted models of one snapshot, and what the predictions need besides them."""

    snapshot_date: date
    bg_nbd: object  # pymc_marketing.clv.BetaGeoModel
    gamma_gamma: object  # pymc_marketing.clv.GammaGammaModel
    net_ratio: float
    parameters: dict[str, float]


def configure_pytensor(cache_dir: Path | None = None) -> None:
    """Set PyTensor's flags before it is imported, unless PYTENSOR_FLAGS already sets them.

    PyTensor compiles C code with g++ into `compiledir`: a writable, reusable directory under
    the user's cache. Each fit builds a new model graph, and with the default optimizer
    rewriting that graph is most of a fit's time. The `o1` optimizer skips most rewrites and
    keeps the C linker (FAST_COMPILE would also switch to the slower Python linker): the same
    maximum a posteriori estimates, measured at 1.7 s per snapshot on the demo against 3.3 s
    with FAST_COMPILE, after one cold compile of about 45 s that the cache keeps.
    """
    flags = [flag for flag in os.environ.get("PYTENSOR_FLAGS", "").split(",") if flag]
    names = {flag.split("=", 1)[0] for flag in flags}
    if "compiledir" not in names:
        directory = cache_dir or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        directory = directory / "customer360" / "pytensor"
        directory.mkdir(parents=True, exist_ok=True)
        flags.append(f"compiledir={directory}")
    if not names & {"mode", "optimizer"}:
        flags.append("optimizer=o1")
    os.environ["PYTENSOR_FLAGS"] = ",".join(flags)


def _quiet_fit(model: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(method="map", progressbar=False)  # type: ignore[attr-defined]


def _map_parameters(model: object, names: tuple[str, ...]) -> dict[str, float]:
    """The fitted point estimates, unrounded: fit_summary() rounds them to three decimals (an
    arviz summary), so a dropout parameter a = 0.0004, a valid fit, read as 0.0."""
    posterior = model.fit_result  # type: ignore[attr-defined]
    return {name: float(np.asarray(posterior[name]).reshape(-1)[0]) for name in names}


def _checked(parameters: dict[str, float], snapshot_date: date, model_name: str) -> None:
    for name, value in parameters.items():
        if not (math.isfinite(value) and 0 < value < MAX_PARAMETER):
            raise PurchaseModelError(
                f"purchase model: the {model_name} fit for snapshot {snapshot_date} did not "
                f"converge: parameter {name} = {value!r} (expected finite, > 0 and "
                f"< {MAX_PARAMETER:g})"
            )


@dataclass(frozen=True)
class Shortfall:
    """A snapshot whose sample has too few buyers or repeat buyers to fit: NULL forecasts."""

    snapshot_date: date
    buyers: int
    repeat_buyers: int


def warn_shortfalls(shortfalls: list[Shortfall]) -> None:
    """One warning for every snapshot left without forecasts, not one line per snapshot."""
    if not shortfalls:
        return
    first = min(shortfalls, key=lambda shortfall: shortfall.snapshot_date)
    latest = max(shortfalls, key=lambda shortfall: shortfall.snapshot_date)
    LOGGER.warning(
        "purchase model: %d snapshot(s) from %s to %s have too few buyers in their sample to "
        "fit (needs %d buyers and %d repeat buyers; %s has %d and %d): their forecasts are NULL",
        len(shortfalls),
        first.snapshot_date,
        latest.snapshot_date,
        MIN_BUYERS,
        MIN_REPEAT_BUYERS,
        latest.snapshot_date,
        latest.buyers,
        latest.repeat_buyers,
    )


def fit_snapshot(
    sample: pd.DataFrame, snapshot_date: date, shortfalls: list[Shortfall] | None = None
) -> PurchaseFit | None:
    """Fit BG/NBD and Gamma-Gamma on a snapshot's sample of buyers; None with too little data
    (added to `shortfalls`, for warn_shortfalls)."""
    buyers = len(sample)
    repeat = sample[sample["frequency"] > 0]
    if buyers < MIN_BUYERS or len(repeat) < MIN_REPEAT_BUYERS:
        if shortfalls is not None:
            shortfalls.append(Shortfall(snapshot_date, buyers, len(repeat)))
        return None
    from pymc_marketing.clv import BetaGeoModel, GammaGammaModel

    bg_nbd = BetaGeoModel(data=sample[["customer_id", "frequency", "recency", "T"]])
    _quiet_fit(bg_nbd)
    parameters = _map_parameters(bg_nbd, BG_NBD_PARAMETERS)
    _checked(parameters, snapshot_date, "BG/NBD")

    gamma_gamma = GammaGammaModel(data=repeat[["customer_id", "frequency", "monetary_value"]])
    _quiet_fit(gamma_gamma)
    spend = _map_parameters(gamma_gamma, GAMMA_GAMMA_PARAMETERS)
    _checked(spend, snapshot_date, "Gamma-Gamma")
    if spend["q"] <= 1:
        raise PurchaseModelError(
            f"purchase model: the Gamma-Gamma fit for snapshot {snapshot_date} has q = "
            f"{spend['q']!r}: the mean spend is undefined (expected q > 1)"
        )
    gross = float(sample["gross"].sum())
    net_ratio = min(max(float(sample["net"].sum()) / gross, 0.0), 1.0) if gross > 0 else 1.0
    return PurchaseFit(snapshot_date, bg_nbd, gamma_gamma, net_ratio, parameters | spend)


def _point(values: object) -> np.ndarray:
    """The single MAP draw of a (chain, draw, customer_id) prediction, as a flat array."""
    array = np.asarray(values)
    return array.reshape(-1)


def predict(fit: PurchaseFit | None, chunk: pd.DataFrame, snapshot_date: date) -> pa.Table:
    """Forecast columns for one chunk of the snapshot's customers (every customer present)."""
    size = len(chunk)
    p_alive = np.full(size, np.nan)
    purchases = np.zeros(size)
    revenue = np.zeros(size)
    no_forecast = np.zeros(size, dtype=bool)
    bought = chunk["frequency"].notna().to_numpy()
    if fit is None:
        no_forecast[:] = True
    elif bought.any():
        # pymc-marketing labels its predictions by customer_id; row numbers serve as well and
        # spare converting a million Arrow strings to Python objects for the labels
        buyers = chunk.loc[bought, ["frequency", "recency", "T", "monetary_value"]]
        buyers.insert(0, "customer_id", np.flatnonzero(bought))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alive = _point(fit.bg_nbd.expected_probability_alive(data=buyers))  # type: ignore[attr-defined]
            expected = _point(
                fit.bg_nbd.expected_purchases(data=buyers, future_t=HORIZON_DAYS)  # type: ignore[attr-defined]
            )
            spend = _point(fit.gamma_gamma.expected_customer_spend(data=buyers))  # type: ignore[attr-defined]
        p_alive[bought] = np.clip(alive, 0.0, 1.0)
        purchases[bought] = np.maximum(expected, 0.0)
        revenue[bought] = np.maximum(expected * spend * fit.net_ratio, 0.0)
    mask_alive = np.isnan(p_alive)
    return pa.table(
        [
            pa.array(chunk["customer_id"], pa.string()),
            pa.array([snapshot_date] * size, pa.date32()),
            pa.array(np.where(mask_alive, 0.0, p_alive), pa.float64(), mask=mask_alive),
            pa.array(purchases, pa.float64(), mask=no_forecast),
            pa.array(revenue, pa.float64(), mask=no_forecast),
        ],
        schema=OUTPUT_SCHEMA,
    )


def forecast_snapshot(
    connection: object,
    snapshot_date: date,
    customers: str,
    sample_customers: int,
    seed: int,
    chunk_customers: int = DEFAULT_CHUNK_CUSTOMERS,
    shortfalls: list[Shortfall] | None = None,
) -> Iterator[pa.Table]:
    """Fit one snapshot on its sample and yield its forecasts chunk by chunk (DuckDB connection);
    a snapshot with too little data to fit is added to `shortfalls`."""
    connection.execute(  # type: ignore[attr-defined]
        "create or replace temp table purchase_model_snapshot as " + snapshot_sql(customers),
        {"snapshot_date": snapshot_date},
    )
    sample = connection.execute(  # type: ignore[attr-defined]
        SAMPLE_SQL, {"seed": seed, "sample": sample_customers}
    ).df()
    fit = fit_snapshot(sample, snapshot_date, shortfalls)
    # one snapshot's inputs in Arrow (five columns), to pandas a chunk at a time
    customers = connection.sql(CUSTOMERS_SQL).to_arrow_table()  # type: ignore[attr-defined]
    for offset in range(0, customers.num_rows, chunk_customers):
        chunk = customers.slice(offset, chunk_customers).to_pandas()
        yield predict(fit, chunk, snapshot_date)
    connection.execute("drop table if exists purchase_model_snapshot")  # type: ignore[attr-defined]
