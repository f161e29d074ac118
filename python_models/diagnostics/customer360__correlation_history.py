"""The correlation diagnostics of SPEC section 4 for every snapshot of the history, with shifts.

The statistics are those of customer360__correlation_diagnostics (customer360.correlation), taken
within each snapshot_date of customer360__customer_score_history: per snapshot, segment and
configured column pair. `is_shift` flags a pair whose r in a segment moved significantly since
the previous snapshot: the difference of Fisher z values, z = (atanh(r) - atanh(r_previous)) /
sqrt(1 / (n - 3) + 1 / (n_previous - 3)), beyond the model config `shift_z_threshold` (1.96, a
two-sided 5% test). The test treats the two snapshots as independent samples; they share most
customers, which makes it conservative for a real shift of the population, so read a flag as
"worth a look", not as proof.

Kept, not recomputed, like the history it reads: the statistics of a snapshot depend on that
snapshot's history rows and on the configured pairs and strength bounds only, so a build reduces
the snapshots it computes (int_snapshot_dates) and takes the others from the table it replaces,
where they were stored with the same configuration (`diagnostics_configuration`); a changed
configuration, or a missing table, reduces every snapshot. The shifts are recomputed from the
statistics on every build (a few rows per snapshot).

No Jinja in this file: dbt renders Python models as templates too, so no double braces.
"""

from __future__ import annotations

import json
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
from customer360.previous_table import has_previous_table

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
        ("diagnostics_configuration", pa.string()),
    ]
)
STATISTICS = ["snapshot_date", *OUTPUT_SCHEMA.names]


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


def stored_statistics(session, this, configuration: str, dates: list) -> pd.DataFrame:
    """The statistics this model stored for `dates` with the same configuration (none on a
    first build, or when they were computed with other pairs or bounds)."""
    if not dates or not has_previous_table(session, this, "diagnostics_configuration"):
        return pd.DataFrame(columns=STATISTICS)
    return session.sql(
        f"select {', '.join(STATISTICS)} from {this!r}"
        " where diagnostics_configuration = $configuration"
        " and list_contains($dates, snapshot_date)",
        params={"configuration": configuration, "dates": dates},
    ).df()


def reduced_statistics(history, dates: list, pairs, bounds) -> pd.DataFrame:
    """The statistics of the history's snapshots `dates`, reduced in DuckDB."""
    if not dates:
        return pd.DataFrame(columns=STATISTICS)
    literals = ", ".join(f"date '{day.isoformat()}'" for day in dates)
    snapshots = history.filter(f"snapshot_date in ({literals})")
    partial_counts = snapshots.query("mart", partial_nulls_sql(pairs)).fetchall()[0]
    partial = {index for index, count in enumerate(partial_counts) if count}
    reduced = snapshots.query("mart", reduction_sql(pairs, partial, BY)).to_arrow_table()
    return pd.DataFrame(diagnostics_rows(reduced.to_pandas(), pairs, bounds, BY))


def model(dbt, session) -> pa.Table:
    pairs = parse_pairs(dbt.config.get("correlation_pairs"))
    bounds = parse_bounds(dbt.config.get("strength_bounds"))
    threshold = float(dbt.config.get("shift_z_threshold") or DEFAULT_SHIFT_Z)
    history = dbt.ref("customer360__customer_score_history")
    check_columns(pairs, history.columns, HISTORY)
    configuration = json.dumps({"pairs": pairs, "strength_bounds": bounds}, sort_keys=True)
    computed = {
        row[0]
        for row in dbt.ref("int_snapshot_dates")
        .filter("is_computed")
        .project("snapshot_date")
        .fetchall()
    }
    held = sorted(row[0] for row in history.project("snapshot_date").distinct().fetchall())
    kept = stored_statistics(
        session, dbt.this, configuration, [day for day in held if day not in computed]
    )
    kept_dates = set(pd.to_datetime(kept["snapshot_date"]).dt.date)
    reduced = reduced_statistics(
        history, [day for day in held if day not in kept_dates], pairs, bounds
    )
    frames = [frame for frame in (kept, reduced) if not frame.empty]
    if not frames:  # no customer at any snapshot (every raw row rejected, say)
        return HISTORY_SCHEMA.empty_table()
    rows = pd.concat(frames, ignore_index=True)
    rows["snapshot_date"] = pd.to_datetime(rows["snapshot_date"]).dt.date
    shifted = with_shifts(rows, threshold)
    shifted["previous_snapshot_date"] = pd.to_datetime(shifted["previous_snapshot_date"]).dt.date
    shifted["diagnostics_configuration"] = configuration
    return pa.Table.from_pandas(
        shifted[HISTORY_SCHEMA.names], schema=HISTORY_SCHEMA, preserve_index=False
    )
