"""The default demo, built by the real pipeline, reproduces the seeds' headline comparison.

SPEC section 6 gives the accepted ranges. These are calibration targets for the generator's
realism; the figures are printed (`pytest -s`) so a drift is visible before it fails.
"""

from __future__ import annotations

import duckdb
import pytest
from conftest import Workspace

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
