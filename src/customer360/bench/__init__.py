"""Benchmark of the pipeline against its floor and a plain pandas implementation (`c360 bench`).

For each scale (customers), raw data is generated once per (scale, seed) and cached; then each
repetition measures, every piece in its own subprocess so that its peak RSS is its own:

- build: `dbt build --exclude-resource-type unit_test` (unit tests run on fixtures, not on the
  benchmark's data, so they are not timed) into a fresh DuckDB file, with a warm partial parse.
  From run_results.json: the execution time of each model and test, and the span from the first
  node's start to the last node's end; dbt's fixed cost is the wall time outside that span
  (start-up, parsing, writing artifacts). A separate `dbt parse` is timed as well.
- floor: one DuckDB query that reads every raw file once and aggregates per customer.
- pandas: the mart's core columns (tier, portfolio share, HVE flag, RFM scores, composite) as a
  pandas user would compute them, on the rows the mart accepted (read from the built database's
  int_*_validated views, untimed), then checked equal to the mart: a difference is an error.

Medians over the repetitions are reported, and the ratios compare pieces of the same run, since
absolute times on a shared machine are noisy.

The package's modules: `measure` (a subprocess's wall time and peak RSS; a dbt build's node
times from run_results.json), `floor` (the DuckDB floor query), `pandas_path` (the core columns
in pandas and their check against the mart), `history` (the history's cost at one scale) and
`run` (scales, repetitions, the records and the table); `__main__` is the entry point of the
measured floor and pandas processes.
"""

from customer360.bench.history import FORECAST_MODELS
from customer360.bench.measure import BenchError, ScalePaths
from customer360.bench.pandas_path import (
    MART,
    BenchMismatch,
    TierBounds,
    compare_with_mart,
    core_rules,
    pandas_core_mart,
    read_mart,
)
from customer360.bench.run import (
    DEFAULT_REPEAT,
    DEFAULT_SCALES,
    DEFAULT_SEED,
    BenchOptions,
    Scale,
    format_table,
    parse_scale,
    run_benchmark,
    select_scales,
)

__all__ = [
    "DEFAULT_REPEAT",
    "DEFAULT_SCALES",
    "DEFAULT_SEED",
    "FORECAST_MODELS",
    "MART",
    "BenchError",
    "BenchMismatch",
    "BenchOptions",
    "Scale",
    "ScalePaths",
    "TierBounds",
    "compare_with_mart",
    "core_rules",
    "format_table",
    "pandas_core_mart",
    "parse_scale",
    "read_mart",
    "run_benchmark",
    "select_scales",
]
