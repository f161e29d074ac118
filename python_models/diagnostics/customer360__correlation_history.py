"""The correlation diagnostics of SPEC section 4 for every snapshot of the history, with shifts.

The statistics are those of customer360__correlation_diagnostics (customer360.correlation), taken
within each snapshot_date of customer360__customer_score_history: per snapshot, segment and
configured column pair. `is_shift` flags a pair whose r in a segment moved significantly since
the previous snapshot: the difference of Fisher z values, z = (atanh(r) - atanh(r_previous)) /
sqrt(1 / (n - 3) + 1 / (n_previous - 3)), beyond the model config `shift_z_threshold` (1.96, a
two-sided 5% test). The test treats the two snapshots as independent samples; they share most
customers, which makes it conservative for a real shift of the population, so read a flag as
"worth a look", not as proof.

No Jinja in this file: dbt renders Python models as templates too, so no double braces.
"""

from __future__ import annotations

import math

import pandas as pd
import pyarrow as pa

from customer360.correlation import (
    OUTPUT_SCHEMA,
    check_columns,
    diagnostics_rows,
    parse_bounds,
    parse_pairs,
    partial_nulls_sql,
    reduction_sql,
)

HISTORY = "customer360__customer_score_history"
BY = ("snapshot_date",)
DEFAULT_SHIFT_Z = 1.96
HISTORY_SCHEMA = pa.schema(
    [
        ("snapshot_date", pa.date32()),
        *OUTPUT_SCHEMA,
        ("previous_snapshot_date", pa.date32()),
        ("previous_pearson_r", pa.float64()),
        ("shift_z", pa.float64()),
        ("is_shift", pa.bool_()),
    ]
)


def shift_z(r: float, n: int, previous_r: float, previous_n: int) -> float | None:
    """The z statistic of the difference of two Fisher z values, None where undefined."""
    if min(n, previous_n) < 4 or max(abs(r), abs(previous_r)) >= 1.0:
        return None
    standard_error = math.sqrt(1.0 / (n - 3) + 1.0 / (previous_n - 3))
    return (math.atanh(r) - math.atanh(previous_r)) / standard_error


def with_shifts(rows: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Each row with the previous snapshot's r of the same (segment, pair) and the shift test."""
    rows = rows.sort_values("snapshot_date", kind="stable")
    keys = ["segment", "x_column", "y_column"]
    previous = rows.groupby(keys, sort=False)[["snapshot_date", "pearson_r", "n"]].shift(1)
    rows["previous_snapshot_date"] = previous["snapshot_date"]
    rows["previous_pearson_r"] = previous["pearson_r"]
    rows["shift_z"] = [
        shift_z(r, n, pr, pn) if pd.notna(r) and pd.notna(pr) else None
        for r, n, pr, pn in zip(
            rows["pearson_r"], rows["n"], previous["pearson_r"], previous["n"], strict=True
        )
    ]
    rows["is_shift"] = [None if pd.isna(z) else bool(abs(z) > threshold) for z in rows["shift_z"]]
    return rows.sort_values([*BY, "segment", "x_column", "y_column"], kind="stable")


def model(dbt, session) -> pa.Table:
    pairs = parse_pairs(dbt.config.get("correlation_pairs"))
    bounds = parse_bounds(dbt.config.get("strength_bounds"))
    threshold = float(dbt.config.get("shift_z_threshold") or DEFAULT_SHIFT_Z)
    history = dbt.ref("customer360__customer_score_history")
    check_columns(pairs, history.columns, HISTORY)
    partial_counts = history.query("mart", partial_nulls_sql(pairs)).fetchall()[0]
    partial = {index for index, count in enumerate(partial_counts) if count}
    reduced = history.query("mart", reduction_sql(pairs, partial, BY)).to_arrow_table()
    rows = pd.DataFrame(diagnostics_rows(reduced.to_pandas(), pairs, bounds, BY))
    if rows.empty:
        return HISTORY_SCHEMA.empty_table()
    shifted = with_shifts(rows, threshold)
    shifted["snapshot_date"] = pd.to_datetime(shifted["snapshot_date"]).dt.date
    shifted["previous_snapshot_date"] = pd.to_datetime(shifted["previous_snapshot_date"]).dt.date
    return pa.Table.from_pandas(
        shifted[HISTORY_SCHEMA.names], schema=HISTORY_SCHEMA, preserve_index=False
    )
