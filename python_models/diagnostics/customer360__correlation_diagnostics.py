"""Correlation diagnostics of the customer value mart, per segment and configured column pair.

The statistics are computed by customer360.correlation (shared with the correlation history).
The reduction runs in DuckDB, so the cost stays a few scans of the mart and sorts of its
distinct values at 10M customers as at 5k: every column in a pair is ranked once per segment
and once overall (average ranks for ties, from counts per distinct value: at 10M customers this
took 17 s where a rank window over every row took 134 s), then a single grouped pass computes,
per segment and for 'All', the complete rows of each pair, Pearson's r with corr() and
Spearman's rho as corr() of the ranks. Only that one small row per segment reaches pandas
(through Arrow), where scipy adds the p-value (t distribution) and the Fisher z interval.

No Jinja in this file: dbt renders Python models as templates too, so no double braces.
"""

from __future__ import annotations

import pyarrow as pa

from customer360.correlation import (
    check_columns,
    diagnostics_table,
    parse_bounds,
    parse_pairs,
    partial_nulls_sql,
    reduction_sql,
)


def model(dbt, session) -> pa.Table:
    pairs = parse_pairs(dbt.config.get("correlation_pairs"))
    bounds = parse_bounds(dbt.config.get("strength_bounds"))
    mart = dbt.ref("customer360__customer_value_analysis")
    check_columns(pairs, mart.columns)
    partial_counts = mart.query("mart", partial_nulls_sql(pairs)).fetchall()[0]
    partial = {index for index, count in enumerate(partial_counts) if count}
    # Arrow carries the small result to pandas without a row-by-row conversion.
    reduced = mart.query("mart", reduction_sql(pairs, partial)).to_arrow_table().to_pandas()
    return diagnostics_table(reduced, pairs, bounds)
