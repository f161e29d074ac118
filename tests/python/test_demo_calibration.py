"""The default demo, built by the real pipeline, reproduces the seeds' headline comparison.

SPEC section 6 gives the accepted ranges. These are calibration targets for the generator's
realism; the figures are printed (`pytest -s`) so a drift is visible before it fails. The demo
also has to show real history (issue 17): trends both ways and every default watchlist rule
firing for some customers.
"""

from __future__ import annotations

import csv

import duckdb
import pytest
from conftest import PROJECT_DIR, Workspace

WATCHLIST_RULES = PROJECT_DIR / "seeds" / "watchlist_rules.csv"
SIGNED_TRENDS = (
    "health_score_change_3m",
    "churn_probability_change_3m",
    "rfm_composite_change_3m",
    "recency_score_change_1m",
    "frequency_score_change_1m",
)

SEGMENT_FIGURES = """
select
    avg(case when customer_segment = 'High-Value Enterprise' then 1.0 else 0 end) as hve_share,
    avg(case when customer_segment = 'High-Value Enterprise' then estimated_customer_ltv end)
        / avg(case when customer_segment = 'SMB' then estimated_customer_ltv end) as ltv_ratio,
    avg(case when customer_segment = 'High-Value Enterprise' then churn_probability end)
        as hve_churn,
    avg(case when customer_segment = 'SMB' then churn_probability end) as smb_churn,
    avg(case when customer_segment = 'High-Value Enterprise' then rfm_composite_score end)
        as hve_rfm,
    avg(case when customer_segment = 'SMB' then rfm_composite_score end) as smb_rfm,
    avg(case when customer_segment = 'SMB'
        then (case when lifecycle_stage = 'Dormant' then 1.0 else 0 end) end) as smb_dormant
from customer360__customer_value_analysis
"""


@pytest.fixture(scope="module")
def figures(demo_build: Workspace) -> dict[str, float]:
    with duckdb.connect(str(demo_build.duckdb_path), read_only=True) as con:
        row = con.execute(SEGMENT_FIGURES).fetchall()[0]
        names = [d[0] for d in con.description]
    result = {name: float(value) for name, value in zip(names, row, strict=True)}
    print("\ndemo calibration (SPEC section 6):")
    for name, value in result.items():
        print(f"  {name:<12} {value:8.3f}")
    return result


def test_hve_share_of_customers(figures: dict[str, float]) -> None:
    assert 0.015 <= figures["hve_share"] <= 0.035


def test_ltv_ratio_hve_to_smb(figures: dict[str, float]) -> None:
    assert 4.5 <= figures["ltv_ratio"] <= 7.0


def test_churn_means(figures: dict[str, float]) -> None:
    assert 0.30 <= figures["hve_churn"] <= 0.50
    assert 0.65 <= figures["smb_churn"] <= 0.85


def test_composite_rfm_means(figures: dict[str, float]) -> None:
    assert figures["hve_rfm"] >= 3.8
    assert figures["smb_rfm"] <= 2.2


def test_smb_dormant_share(figures: dict[str, float]) -> None:
    assert figures["smb_dormant"] >= 0.70


def test_every_accepted_customer_is_in_the_mart_once(demo_build: Workspace) -> None:
    with duckdb.connect(str(demo_build.duckdb_path), read_only=True) as con:
        accepted = con.execute(
            "select count(*) from intermediate.int_customers_validated"
            " where rejection_reason is null"
        ).fetchall()[0][0]
        mart, distinct_ids = con.execute(
            "select count(*), count(distinct customer_id) from customer360__customer_value_analysis"
        ).fetchall()[0]
    assert accepted == mart == distinct_ids
    assert mart >= 5000


def test_every_default_watchlist_rule_fires_for_some_demo_customers(demo_build: Workspace) -> None:
    with WATCHLIST_RULES.open(newline="") as handle:
        rules = {row["rule_id"] for row in csv.DictReader(handle) if row["is_enabled"] == "true"}
    with duckdb.connect(str(demo_build.duckdb_path), read_only=True) as con:
        fired = dict(
            con.execute(
                "select rule_id, count(*) from customer360__watchlist group by rule_id"
            ).fetchall()
        )
    print(f"\ndemo watchlist rows by rule: {fired}")
    assert len(rules) == 6
    assert {rule: fired.get(rule, 0) > 0 for rule in rules} == dict.fromkeys(rules, True)


def test_the_demo_history_shows_change_both_ways(demo_build: Workspace) -> None:
    counts = ", ".join(
        f"count(case when {column} > 0 then 1 end), count(case when {column} < 0 then 1 end)"
        for column in SIGNED_TRENDS
    )
    with duckdb.connect(str(demo_build.duckdb_path), read_only=True) as con:
        signed = con.execute(
            f"select {counts} from customer360__customer_value_analysis"
        ).fetchall()[0]
        declining = dict(
            con.execute(
                "select rf_declining_3m, count(*) from customer360__customer_value_analysis"
                " group by rf_declining_3m"
            ).fetchall()
        )
        snapshots = con.execute(
            "select count(distinct snapshot_date) from customer360__customer_score_history"
        ).fetchall()[0][0]
    rises_and_falls = dict(
        zip(SIGNED_TRENDS, zip(signed[::2], signed[1::2], strict=True), strict=True)
    )
    print(
        f"\ndemo trends (customers rising, falling): {rises_and_falls};"
        f" rf_declining_3m: {declining}"
    )
    assert snapshots == 25
    assert all(rising > 0 and falling > 0 for rising, falling in rises_and_falls.values())
    assert declining.get(True, 0) > 0 and declining.get(False, 0) > 0
