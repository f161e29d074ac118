"""The pandas rival: the mart's core columns as a pandas user would compute them, and the check.

The core columns (tier, portfolio share, HVE flag, RFM scores, composite) are computed from the
raw files: SPEC 2's row rules first (raw_rules), then SPEC 3's, with the rules' parameters read
from the project as the build reads them. The result is checked equal to the mart, and a
difference is an error.

The old rival, kept in the table under its own label, starts instead from rows already
accepted (settled from the raw files by the same rules, untimed): it skips the row rules, so
it is not a fair comparison, and only its figure is kept to compare with earlier runs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from customer360.bench.measure import BenchError
from customer360.bench.raw_rules import AcceptedRows, RowRules, accepted_rows

if TYPE_CHECKING:
    from customer360.validate import RuleVars

# Exact for tiers, flags and scores; floats (a share, a weighted sum) to this absolute tolerance.
FLOAT_TOLERANCE = 1e-9
MART = "main.customer360__customer_value_analysis"
CORE_COLUMNS = (
    "customer_tier",
    "portfolio_contribution_pct",
    "is_high_value_enterprise",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "rfm_composite_score",
)
FLOAT_COLUMNS = ("portfolio_contribution_pct", "rfm_composite_score")


class BenchMismatch(BenchError):
    """The pandas implementation disagrees with the mart."""


# --- the pandas implementation -----------------------------------------------------------------


@dataclass(frozen=True)
class TierBounds:
    """The tier_thresholds seed: tier names ascending by their lower bound of 12-month revenue."""

    names: tuple[str, ...]
    bounds_cents: tuple[int, ...]

    @classmethod
    def from_seed(cls, project_dir: Path) -> TierBounds:
        import csv
        from decimal import Decimal

        with (project_dir / "seeds" / "tier_thresholds.csv").open(newline="") as seed:
            tiers = sorted(
                (int(Decimal(row["min_revenue_12m"]) * 100), row["customer_tier"])
                for row in csv.DictReader(seed)
            )
        return cls(tuple(name for _, name in tiers), tuple(bound for bound, _ in tiers))


def core_rules(project_dir: Path) -> tuple[RuleVars, dict[str, float], TierBounds]:
    """What the core columns depend on (SPEC section 3), from the project: the rule vars and the
    RFM weights from dbt_project.yml's vars, the tier bounds from their seed."""
    from customer360.validate import RuleVars, project_vars

    values = project_vars(project_dir)
    weights = {dimension: float(weight) for dimension, weight in values["rfm_weights"].items()}
    return RuleVars.from_values(values), weights, TierBounds.from_seed(project_dir)


def exported_accepted_rows(accepted_dir: Path) -> AcceptedRows:
    """The old path's input: accepted rows already settled (export_accepted_rows)."""
    import pandas as pd

    as_of = pd.Timestamp(json.loads((accepted_dir / "as_of.json").read_text())["as_of_date"])
    customers = pd.read_parquet(accepted_dir / "customers.parquet").set_index("customer_id")
    transactions = pd.read_parquet(accepted_dir / "transactions.parquet")
    return AcceptedRows(customers[["account_owner_id"]], transactions, as_of)


def pandas_core_mart(
    accepted: AcceptedRows,
    rule_vars: RuleVars,
    rfm_weights: dict[str, float],
    tiers: TierBounds,
):  # -> pd.DataFrame
    """The core mart columns in plain pandas, indexed by customer_id, from the accepted rows.

    Money is summed in integer cents, so tier bounds and the strict HVE comparison are exact, as
    the mart's decimals are.
    """
    frame = accepted.transactions
    out = accepted.customers[["account_owner_id"]].copy()
    out["revenue_12m_cents"] = _trailing_sum(frame, 365).reindex(out.index, fill_value=0)
    _add_tier_and_portfolio(out, rule_vars, tiers)
    _add_rfm(out, frame, rule_vars.rfm_window_days, rfm_weights)
    return out[list(CORE_COLUMNS)]


def row_rules(project_dir: Path) -> RowRules:
    """SPEC 2's parameters, from dbt_project.yml's vars and the ISO codes macro."""
    from customer360.validate import project_vars

    return RowRules.from_values(project_vars(project_dir), project_dir)


def _in_window(frame, days: int):  # -> pd.Series[bool]
    # Trailing N days: as_of - N < d <= as_of, i.e. 0 <= as_of - d < N.
    return (frame["days"] >= 0) & (frame["days"] < days)


def _trailing_sum(frame, days: int):  # -> pd.Series
    return frame.loc[_in_window(frame, days)].groupby("customer_id")["cents"].sum()


def _add_tier_and_portfolio(out, rule_vars: RuleVars, tiers: TierBounds) -> None:
    import numpy as np

    revenue = out["revenue_12m_cents"].to_numpy()
    # The highest tier whose bound is reached; below every bound, the lowest tier catches all.
    index = np.searchsorted(np.array(tiers.bounds_cents), revenue, side="right") - 1
    out["customer_tier"] = np.array(tiers.names, dtype=object)[np.maximum(index, 0)]
    # Portfolios by owner; the customers without one (NaN) form one pooled portfolio.
    total = out.groupby("account_owner_id", dropna=False)["revenue_12m_cents"].transform("sum")
    total = total.to_numpy()
    positive = total > 0
    share = 100 * (revenue / 100) / np.where(positive, total / 100, 1.0)
    out["portfolio_contribution_pct"] = np.where(positive, share, 0.0)
    # The var as written (a float's shortest repr) as an exact fraction.
    pct = Fraction(str(rule_vars.hve_min_contribution_pct))
    above = revenue * 100 * pct.denominator > pct.numerator * total  # strictly, in exact integers
    enterprise = out["customer_tier"].isin(rule_vars.enterprise_tiers).to_numpy()
    out["is_high_value_enterprise"] = enterprise & positive & above


def _add_rfm(out, frame, window_days: int, weights: dict[str, float]) -> None:
    window = frame.loc[_in_window(frame, window_days)]
    purchases = window.loc[window["cents"] > 0].groupby("customer_id")["days"]
    ranked = purchases.agg(["size", "min"]).rename(columns={"size": "frequency", "min": "recency"})
    ranked["monetary"] = window.groupby("customer_id")["cents"].sum().reindex(ranked.index)
    n = len(ranked)
    # k = ranked customers no better than this one (ties share the largest k): rank "max".
    no_better = {
        "recency": ranked["recency"].rank(method="max", ascending=False),  # fewer days is better
        "frequency": ranked["frequency"].rank(method="max"),
        "monetary": ranked["monetary"].rank(method="max"),
    }
    for dimension, k in no_better.items():
        score = (5 * k.astype("int64") + n - 1) // n if n else k
        out[f"{dimension}_score"] = score.reindex(out.index, fill_value=1).astype("int64")
    out["rfm_composite_score"] = (
        weights["recency"] * out["recency_score"]
        + weights["frequency"] * out["frequency_score"]
        + weights["monetary"] * out["monetary_score"]
    )


def timed_pandas(source: Path, project_dir: Path, output: Path, *, from_raw: bool) -> float:
    """Compute the core columns into `output` from the raw files (from_raw) or from the
    exported accepted rows (the old path); the seconds the computation took."""
    # Imported before the clock starts: module loading is start-up, not computation.
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    rules = core_rules(project_dir)
    raw_rules = row_rules(project_dir) if from_raw else None
    start = time.perf_counter()
    if raw_rules is not None:
        accepted = accepted_rows(source, raw_rules)
    else:
        accepted = exported_accepted_rows(source)
    result = pandas_core_mart(accepted, *rules)
    seconds = time.perf_counter() - start
    result.to_parquet(output)
    return seconds


# --- the check against the mart ---------------------------------------------------------------


def export_accepted_rows(raw_dir: Path, project_dir: Path, accepted_dir: Path) -> None:
    """The accepted rows and as_of_date for the old path (untimed): settled from the raw files by
    SPEC 2's rules in pandas, so the old figure is again "the core columns from rows already
    accepted", and nothing reads the build's private models."""
    accepted = accepted_rows(raw_dir, row_rules(project_dir))
    accepted_dir.mkdir(parents=True, exist_ok=True)
    accepted.customers.reset_index().to_parquet(accepted_dir / "customers.parquet")
    accepted.transactions.to_parquet(accepted_dir / "transactions.parquet")
    as_of = accepted.as_of_date.date().isoformat()
    (accepted_dir / "as_of.json").write_text(json.dumps({"as_of_date": as_of}))


def read_mart(duckdb_path: Path):  # -> pd.DataFrame
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        frame = connection.execute(
            f"select customer_id, {', '.join(CORE_COLUMNS)} from {MART}"
        ).df()
    return frame.set_index("customer_id")


@dataclass(frozen=True)
class Comparison:
    """How the pandas result compares with the mart, row by row and column by column."""

    rows: int
    missing_in_pandas: int
    extra_in_pandas: int
    mismatches: dict[str, int]
    examples: list[str]

    @property
    def equal(self) -> bool:
        return not (self.missing_in_pandas or self.extra_in_pandas or any(self.mismatches.values()))

    def describe(self) -> str:
        parts = [f"{column}: {count:,} rows" for column, count in self.mismatches.items() if count]
        if self.missing_in_pandas or self.extra_in_pandas:
            parts.append(
                f"customers only in the mart: {self.missing_in_pandas:,}, "
                f"only in pandas: {self.extra_in_pandas:,}"
            )
        return "; ".join(parts) + ("; e.g. " + "; ".join(self.examples) if self.examples else "")


def compare_with_mart(pandas_result, mart) -> Comparison:  # (pd.DataFrame, pd.DataFrame)
    """Exact for tiers, flags and scores; FLOAT_TOLERANCE for the share and the composite."""
    import numpy as np

    common = mart.index.intersection(pandas_result.index)
    left, right = pandas_result.loc[common], mart.loc[common]
    mismatches: dict[str, int] = {}
    examples: list[str] = []
    for column in CORE_COLUMNS:
        ours, theirs = left[column], right[column]
        if column in FLOAT_COLUMNS:
            a, b = ours.to_numpy(dtype=float), theirs.to_numpy(dtype=float)
            differs = ~(np.abs(a - b) <= FLOAT_TOLERANCE)  # NaN on either side differs
        else:
            differs = (ours.astype(str) != theirs.astype(str)).to_numpy()
        mismatches[column] = int(differs.sum())
        examples += [
            f"{customer} {column} pandas={ours[customer]!r} mart={theirs[customer]!r}"
            for customer in common[differs][:2]
        ]
    return Comparison(
        rows=len(common),
        missing_in_pandas=len(mart.index.difference(pandas_result.index)),
        extra_in_pandas=len(pandas_result.index.difference(mart.index)),
        mismatches=mismatches,
        examples=examples[:6],
    )


def check_pandas_output(output: Path, duckdb_path: Path) -> Comparison:
    import pandas as pd

    comparison = compare_with_mart(pd.read_parquet(output), read_mart(duckdb_path))
    if not comparison.equal or comparison.rows == 0:
        raise BenchMismatch(f"pandas differs from the mart: {comparison.describe() or 'no rows'}")
    return comparison
