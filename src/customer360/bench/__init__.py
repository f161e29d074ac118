"""Benchmark of the pipeline against its floor and a plain pandas implementation (`c360 bench`).

For each scale (customers), raw data is generated once per (scale, seed) and cached; then each
repetition measures, every piece in its own subprocess so that its peak RSS is its own:

- build: `dbt build --exclude-resource-type unit_test` (unit tests run on fixtures, not on the
  benchmark's data, so they are not timed) into a fresh DuckDB file, with a warm partial parse.
  From run_results.json: the execution time of each model and test, and the span from the first
  node's start to the last node's end; dbt's fixed cost is the wall time outside that span
  (start-up, parsing, writing artifacts). A separate `dbt parse` is timed as well.
- SPEC floor: one DuckDB query per raw file that groups by its key (repeated and conflicting
  keys found, as SPEC 2 requires) and aggregates the accepted rows per customer, joined to the
  accepted customers. The model and build times are reported as multiples of it.
- pandas: the mart's core columns (tier, portfolio share, HVE flag, RFM scores, composite) as a
  pandas user would compute them from the raw files, applying SPEC 2's row rules first (casts,
  NULL and repeated keys, conflicting versions, unknown customers, rows after as_of_date), then
  checked equal to the mart: a difference is an error.
- old floor and old pandas, kept under those labels to compare with earlier runs: a
  per-customer aggregate that compares no keys, and the core columns computed from rows
  already accepted (settled from the raw files by the same rules, untimed).

Medians over the repetitions are reported, and the ratios compare pieces of the same run, since
absolute times on a shared machine are noisy.

The package's modules: `measure` (a subprocess's wall time and peak RSS; a dbt build's node
times from run_results.json), `floor` (the floors' DuckDB queries), `raw_rules` (SPEC 2's row
rules in pandas), `pandas_path` (the core columns in pandas and their check against the mart),
`history` (the history's cost at one scale) and `run` (scales, repetitions, the records and the
table); `__main__` is the entry point of the measured floor and pandas processes.
"""

from customer360.bench.history import FORECAST_MODELS
from customer360.bench.measure import BenchError, ScalePaths
from customer360.bench.pandas_path import (
    MART,
    BenchMismatch,
    TierBounds,
    compare_with_mart,
    core_rules,
    exported_accepted_rows,
    pandas_core_mart,
    read_mart,
    row_rules,
)
from customer360.bench.raw_rules import RowRules, accepted_rows
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
    "RowRules",
    "Scale",
    "ScalePaths",
    "TierBounds",
    "accepted_rows",
    "compare_with_mart",
    "core_rules",
    "exported_accepted_rows",
    "format_table",
    "pandas_core_mart",
    "parse_scale",
    "read_mart",
    "row_rules",
    "run_benchmark",
    "select_scales",
]
