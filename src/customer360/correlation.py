"""Correlation statistics per segment and column pair, reduced in DuckDB.

Shared by the Python models customer360__correlation_diagnostics (the mart) and
customer360__correlation_history (every snapshot of the history), so both compute their figures
the same way. The reduction runs in DuckDB, so the cost stays a few scans of the input and sorts
of its distinct values at 10M customers as at 5k: every column in a pair is ranked once per
segment and once overall (average ranks for ties, from counts per distinct value: at 10M
customers this took 17 s where a rank window over every row took 134 s), then a single grouped
pass computes, per segment and for 'All', the complete rows of each pair, Pearson's r with corr()
and Spearman's rho as corr() of the ranks. `by` adds outer keys (the history's snapshot_date):
ranks, segments and 'All' are then taken within each of its values. Only one small row per
segment reaches pandas (through Arrow), where scipy adds the p-value (t distribution) and the
Fisher z interval.
"""

from __future__ import annotations

import ast
import math

import pandas as pd
import pyarrow as pa
from scipy import stats

MART = "customer360__customer_value_analysis"
ALL_SEGMENTS = "All"
# Below this many complete rows r is undefined (n = 2 always gives |r| = 1).
MIN_ROWS = 3
# Fisher's z has standard error 1 / sqrt(n - 3): the interval needs n > 3.
MIN_ROWS_FOR_INTERVAL = 4
CONFIDENCE = 0.95
# Exclusive upper bounds of |pearson_r| per label; the model config `strength_bounds` overrides.
DEFAULT_STRENGTH_BOUNDS = {"negligible": 0.1, "weak": 0.3, "moderate": 0.5, "strong": 0.7}
STRONGEST_LABEL = "very strong"
# Explicit types: a column that is NULL on every row must still land as varchar or double.
OUTPUT_SCHEMA = pa.schema(
    [
        ("segment", pa.string()),
        ("x_column", pa.string()),
        ("y_column", pa.string()),
        ("n", pa.int64()),
        ("pearson_r", pa.float64()),
        ("spearman_rho", pa.float64()),
        ("p_value", pa.float64()),
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("strength", pa.string()),
        ("reason", pa.string()),
    ]
)
OUTPUT_COLUMNS = OUTPUT_SCHEMA.names

Pair = tuple[str, str]


def parse_pairs(configured: object) -> list[Pair]:
    """The column pairs from the model config: a list, or the text of one."""
    # A var rendered into the YAML config may arrive as the text of the list.
    pairs = ast.literal_eval(configured) if isinstance(configured, str) else configured
    if not pairs:
        raise ValueError("correlation_pairs is empty: configure at least one column pair")
    parsed = []
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"correlation_pairs entry {pair!r} is not an [x, y] pair")
        parsed.append((str(pair[0]), str(pair[1])))
    return parsed


def parse_bounds(configured: object) -> dict[str, float]:
    bounds = ast.literal_eval(configured) if isinstance(configured, str) else configured
    return {
        str(label): float(upper) for label, upper in (bounds or DEFAULT_STRENGTH_BOUNDS).items()
    }


def check_columns(pairs: list[Pair], available: list[str], relation: str = MART) -> None:
    """A misconfigured pair is a configuration error, not a data condition: name the column."""
    missing = sorted({column for pair in pairs for column in pair} - set(available))
    if missing:
        raise ValueError(
            f"correlation_pairs names columns that {relation} does not have: {', '.join(missing)}"
        )


def quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def partial_nulls_sql(pairs: list[Pair]) -> str:
    """Per pair, the rows where exactly one of the two columns is NULL (usually none)."""
    counts = ",\n    ".join(
        f"count(*) filter (where ({quoted(x)} is null) <> ({quoted(y)} is null)) as pair_{index}"
        for index, (x, y) in enumerate(pairs)
    )
    return f"select\n    {counts}\nfrom mart"


def rank_key(pair: Pair, axis: int, partial: set[int], index: int) -> tuple[str, str | None]:
    """Which ranking a pair's axis uses: (column, partner column or None).

    A column is ranked once for all the pairs it is in, unless the pair has rows where only one
    side is NULL: Spearman ranks among the pair's complete rows, so there the column is ranked
    apart among the rows where the partner is non-NULL.
    """
    column, partner = pair[axis], pair[1 - axis]
    return column, (partner if index in partial else None)


def rank_keys(pairs: list[Pair], partial: set[int]) -> dict[tuple[str, str | None], int]:
    keys: dict[tuple[str, str | None], int] = {}
    for index, pair in enumerate(pairs):
        for axis in (0, 1):
            keys.setdefault(rank_key(pair, axis, partial, index), len(keys))
    return keys


def rank_cte(number: int, value: str, apart: str, by: tuple[str, ...] = ()) -> str:
    """A CTE with both average ranks of one ranking per distinct value in each segment: `s`,
    within the segment, and `a`, over all rows (within the `by` keys).

    Ranks come from counts per distinct value, so only the distinct values are sorted (a few
    hundred thousand at most per million customers, where ranking every row sorted them all).
    A value's average rank is its cumulative count minus (count - 1) / 2, which gives ties the
    mean of their ranks. The ranks over all rows are joined to the per-segment values here, on
    distinct values, so each row finds both of its ranks in one join. (Summing the per-segment
    counts for them, instead of counting the rows a second time, was slower: DuckDB
    materialises a CTE that two readers share.) NULLs are not ranked; the pair statistics leave
    those rows out. `apart` splits the ranking where the partner column is NULL (see rank_key).
    """
    cumulative = "rows between unbounded preceding and current row"
    keys = "".join(f"{column}, " for column in by)
    segment_keys = "".join(f"segment_counts.{column}, " for column in by)
    same_keys = "".join(f"segment_counts.{column} = all_ranks.{column} and " for column in by)
    return f"""ranks_{number} as (
    select
        segment_counts.*,
        sum(segment_counts.c) over (
            partition by {segment_keys}segment_counts.segment, segment_counts.apart
            order by segment_counts.v {cumulative}
        ) - (segment_counts.c - 1) / 2.0 as s,
        all_ranks.a
    from (
        select {keys}segment, {value} as v, {apart} as apart, count(*) as c
        from values_only
        where {value} is not null
        group by {keys}segment, {value}, {apart}
    ) as segment_counts
    inner join (
        select
            {keys}v,
            apart,
            sum(c) over (partition by {keys}apart order by v {cumulative}) - (c - 1) / 2.0 as a
        from (
            select {keys}{value} as v, {apart} as apart, count(*) as c
            from values_only
            where {value} is not null
            group by {keys}{value}, {apart}
        ) as all_counts
    ) as all_ranks
        on {same_keys}segment_counts.v = all_ranks.v and segment_counts.apart = all_ranks.apart
)"""


def same_value(value: str, apart: str, rank_table: str, by: tuple[str, ...] = ()) -> str:
    """The join condition that finds a row's segment, value (and side of `apart`) in a rank
    table."""
    keys = "".join(f"values_only.{column} = {rank_table}.{column} and " for column in by)
    return (
        f"{keys}values_only.segment is not distinct from {rank_table}.segment"
        f" and values_only.{value} = {rank_table}.v and {apart} = {rank_table}.apart"
    )


def pair_aggregates(index: int, vx: str, vy: str, rank_x: int, rank_y: int) -> list[str]:
    both = f"filter (where {vx} is not null and {vy} is not null)"
    return [
        f"count(*) {both} as n_{index}",
        f"min({vx}) {both} = max({vx}) {both} as is_x_constant_{index}",
        f"min({vy}) {both} = max({vy}) {both} as is_y_constant_{index}",
        f"corr({vy}, {vx}) {both} as pearson_r_{index}",
        f"corr(s{rank_y}, s{rank_x}) {both} as rho_segment_{index}",
        f"corr(a{rank_y}, a{rank_x}) {both} as rho_all_{index}",
    ]


def reduction_sql(pairs: list[Pair], partial: set[int], by: tuple[str, ...] = ()) -> str:
    """One query over the mart (virtual table `mart`): a row per segment and one for all
    customers (grouping sets), within each value of the `by` keys, with n, constant flags, r
    and rho of every pair as columns.

    Ranks s<k> are within the segment, a<k> over all customers; each grouping reads its own.
    Each row finds both by one join per ranking, on its segment and value.
    """
    columns = sorted({column for pair in pairs for column in pair})
    value = {column: f"v{number}" for number, column in enumerate(columns)}
    keys = rank_keys(pairs, partial)
    ctes, ranks, joins = [], [], []
    for (column, partner), number in keys.items():
        apart = f"({value[partner]} is null)" if partner else "false"
        ctes.append(rank_cte(number, value[column], apart, by))
        ranks += [f"ranks_{number}.s as s{number}", f"ranks_{number}.a as a{number}"]
        joins.append(
            f"left join ranks_{number}\n"
            f"    on {same_value(value[column], apart, f'ranks_{number}', by)}"
        )
    aggregates = []
    for index, pair in enumerate(pairs):
        rank_x = keys[rank_key(pair, 0, partial, index)]
        rank_y = keys[rank_key(pair, 1, partial, index)]
        aggregates += pair_aggregates(index, value[pair[0]], value[pair[1]], rank_x, rank_y)
    casts = ",\n        ".join(
        f"cast({quoted(column)} as double) as {value[column]}" for column in columns
    )
    rank_tables = ",\n".join(ctes)
    ranked = ",\n        ".join(ranks)
    joined = "\n    ".join(joins)
    aggregated = ",\n    ".join(aggregates)
    keys = "".join(f"{column}, " for column in by)
    outer = ", ".join(by)
    return f"""
with values_only as (
    select
        {keys}customer_segment as segment,
        {casts}
    from mart
),
{rank_tables},
ranked as (
    select
        values_only.*,
        {ranked}
    from values_only
    {joined}
)
select
    {keys}segment,
    grouping(segment) = 1 as is_all,
    {aggregated}
from ranked
group by grouping sets (({keys}segment), ({outer}))
"""


def null_reason(n: int, is_x_constant: bool, is_y_constant: bool) -> str | None:
    """Why the statistics of a (segment, pair) are NULL, or None when they can be computed."""
    if n == 0:
        return "no rows where both columns are non-NULL"
    if n < MIN_ROWS:
        return f"n = {n} rows where both columns are non-NULL; at least {MIN_ROWS} needed"
    if is_x_constant and is_y_constant:
        return "x_column and y_column are both constant: correlation undefined"
    if is_x_constant:
        return "x_column is constant: correlation undefined"
    if is_y_constant:
        return "y_column is constant: correlation undefined"
    return None


def clipped(r: float) -> float:
    """corr() can overshoot +-1 by a rounding error; a correlation cannot."""
    return max(-1.0, min(1.0, r))


def p_value(r: float, n: int) -> float:
    """Two-sided p-value of Pearson's r under rho = 0: t with n - 2 degrees of freedom."""
    if abs(r) == 1.0:
        return 0.0
    t = r * math.sqrt((n - 2) / (1.0 - r * r))
    return float(2.0 * stats.t.sf(abs(t), df=n - 2))


def fisher_interval(r: float, n: int) -> tuple[float | None, float | None]:
    """95% interval of Pearson's r through Fisher's z = atanh(r), se = 1 / sqrt(n - 3)."""
    if n < MIN_ROWS_FOR_INTERVAL:
        return None, None
    if abs(r) == 1.0:
        return r, r
    z = math.atanh(r)
    half_width = float(stats.norm.ppf(0.5 + CONFIDENCE / 2)) / math.sqrt(n - 3)
    return math.tanh(z - half_width), math.tanh(z + half_width)


def strength_label(r: float, bounds: dict[str, float]) -> str:
    for label, upper in sorted(bounds.items(), key=lambda item: item[1]):
        if abs(r) < upper:
            return label
    return STRONGEST_LABEL


def is_true(flag: object) -> bool:
    """A flag of the reduction; NULL (min = max over no rows, when n = 0) counts as false."""
    return bool(flag) if pd.notna(flag) else False


def diagnostics_row(
    result: pd.Series, index: int, pair: Pair, bounds: dict[str, float]
) -> dict[str, object]:
    """The output row of one pair from one row (a segment, or all) of the reduction."""
    is_all = bool(result["is_all"])
    n = int(result[f"n_{index}"])
    row: dict[str, object] = dict.fromkeys(OUTPUT_COLUMNS)
    row.update(
        segment=ALL_SEGMENTS if is_all else result["segment"],
        x_column=pair[0],
        y_column=pair[1],
        n=n,
    )
    reason = null_reason(
        n, is_true(result[f"is_x_constant_{index}"]), is_true(result[f"is_y_constant_{index}"])
    )
    if reason is not None:
        row["reason"] = reason
        return row
    r = clipped(float(result[f"pearson_r_{index}"]))
    rho = result[f"rho_all_{index}"] if is_all else result[f"rho_segment_{index}"]
    ci_low, ci_high = fisher_interval(r, n)
    row.update(
        pearson_r=r,
        spearman_rho=clipped(float(rho)),
        p_value=p_value(r, n),
        ci_low=ci_low,
        ci_high=ci_high,
        strength=strength_label(r, bounds),
    )
    if ci_low is None:
        row["reason"] = f"n = {n}: the Fisher z interval needs at least {MIN_ROWS_FOR_INTERVAL}"
    return row


def diagnostics_rows(
    reduced: pd.DataFrame, pairs: list[Pair], bounds: dict[str, float], by: tuple[str, ...] = ()
) -> list[dict[str, object]]:
    """Every (segment, pair): 'All' first, then segments by name, pairs in configured order;
    within each value of the `by` keys (which lead each row), in their order."""
    # A NULL segment would break the mart's contract; its own tests report it, not this model.
    results = reduced[reduced["is_all"] | reduced["segment"].notna()].copy()
    results["order"] = results["is_all"].map({True: "", False: "~"}) + results["segment"].fillna("")
    return [
        {
            **{column: result[column] for column in by},
            **diagnostics_row(result, index, pair, bounds),
        }
        for _, result in results.sort_values([*by, "order"]).iterrows()
        for index, pair in enumerate(pairs)
    ]


def diagnostics_table(
    reduced: pd.DataFrame, pairs: list[Pair], bounds: dict[str, float]
) -> pa.Table:
    """The diagnostics of one input as a table (see diagnostics_rows)."""
    return pa.Table.from_pylist(diagnostics_rows(reduced, pairs, bounds), schema=OUTPUT_SCHEMA)
