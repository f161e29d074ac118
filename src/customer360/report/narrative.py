"""The report's narrative: the headline figures, computed from the query results, in words.

Each headline keeps its exact value beside its sentence, so the page can carry it in a
data-value attribute that readers and tests read back.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from customer360.report.queries import MartData, by_segment

TIMES = "\u00d7"  # the multiplication sign, spelled out so linters do not take it for an x


@dataclass(frozen=True)
class Headline:
    """A figure quoted in the narrative, kept with its exact value for readers and tests."""

    key: str
    value: float
    text: str

    def __post_init__(self) -> None:
        # numpy scalars would print as np.float64(...) in the data-value attribute.
        object.__setattr__(self, "value", float(self.value))


def money(value: float) -> str:
    return f"${value:,.0f}"


def _share_in(data: MartData, dimension: str, segment: str, value: str) -> float:
    frame = data.distributions
    match = frame[
        (frame["dimension"] == dimension)
        & (frame["customer_segment"] == segment)
        & (frame["dimension_value"] == value)
    ]
    return float(match["share_of_segment"].sum())


def _hve_against_smb(hve: pd.Series, smb: pd.Series) -> list[Headline]:
    """The seeds' comparison: HVE against SMB on value, health, churn and RFM."""
    hve_ltv, smb_ltv = hve["mean_estimated_customer_ltv"], smb["mean_estimated_customer_ltv"]
    ltv_ratio = float(hve_ltv / smb_ltv) if smb_ltv else float("nan")
    return [
        Headline(
            "hve_customers",
            hve["customers"],
            f"{int(hve['customers']):,} High-Value Enterprise (HVE) customers, "
            f"{hve['share_of_customers']:.1%} of all, hold "
            f"{hve['share_of_revenue_12m']:.1%} of revenue over the last 12 months.",
        ),
        Headline(
            "hve_smb_ltv_ratio",
            ltv_ratio,
            f"Mean LTV is {money(hve_ltv)} for HVE against {money(smb_ltv)} for SMB: "
            f"{ltv_ratio:.1f}{TIMES}; mean expected annual revenue "
            f"{money(hve['mean_expected_annual_revenue'])} against "
            f"{money(smb['mean_expected_annual_revenue'])}.",
        ),
        Headline(
            "hve_churn",
            hve["mean_churn_probability"],
            f"HVE customers are healthier (mean health {hve['mean_customer_health_score']:.2f} "
            f"against {smb['mean_customer_health_score']:.2f}) and less likely to churn "
            f"(mean churn probability {hve['mean_churn_probability']:.2f} against "
            f"{smb['mean_churn_probability']:.2f}).",
        ),
        Headline(
            "hve_rfm",
            hve["mean_rfm_composite_score"],
            f"Mean composite RFM is {hve['mean_rfm_composite_score']:.2f} for HVE against "
            f"{smb['mean_rfm_composite_score']:.2f} for SMB, and HVE value leans on spend: "
            f"mean monetary bias {hve['mean_monetary_bias']:+.2f} "
            f"(SMB {smb['mean_monetary_bias']:+.2f}).",
        ),
    ]


def _risk_headline(data: MartData) -> Headline:
    at_risk = float(data.summary["total_revenue_at_risk"].sum())
    text = f"{money(at_risk)} of expected annual revenue is at risk"
    if data.owners is not None and len(data.owners):
        top = data.owners.drop_duplicates("account_owner").iloc[0]
        owner = top["account_owner"]
        book = "the unassigned pool" if owner == "unassigned" else f"account owner {owner}"
        text += f"; the most of it, {money(top['owner_revenue_at_risk'])}, in {book}'s book"
    return Headline("revenue_at_risk", at_risk, text + ".")


def _correlation_headline(data: MartData) -> Headline | None:
    """The strongest correlation within HVE, where the seeds looked for the paradox."""
    correlations = data.correlations
    if correlations is None:
        return None
    hve = correlations[
        (correlations["segment"] == "High-Value Enterprise") & correlations["pearson_r"].notna()
    ]
    if hve.empty:
        return None
    top = hve.loc[hve["pearson_r"].abs().idxmax()]
    return Headline(
        "hve_strongest_correlation",
        top["pearson_r"],
        f"Within HVE the strongest configured correlation is {top['x_column']} with "
        f"{top['y_column']}: r = {top['pearson_r']:+.2f} ({top['strength']}, "
        f"n = {int(top['n']):,}).",
    )


def headlines(data: MartData) -> list[Headline]:
    """The mart's figures, in the order a reader wants them (the forecasts' come after)."""
    summary = by_segment(data.summary)
    total = int(data.summary["customers"].sum())
    items = [Headline("customers", total, f"{total:,} customers as of {data.as_of_date}.")]
    if {"High-Value Enterprise", "SMB"} <= set(summary.index):
        items += _hve_against_smb(summary.loc["High-Value Enterprise"], summary.loc["SMB"])
    if "SMB" in summary.index:
        dormant = _share_in(data, "lifecycle_stage", "SMB", "Dormant")
        items.append(
            Headline("smb_dormant_share", dormant, f"{dormant:.1%} of SMB customers are Dormant.")
        )
    items.append(_risk_headline(data))
    correlation = _correlation_headline(data)
    return items if correlation is None else [*items, correlation]
