"""Benchmark of the pipeline against its floor and a plain pandas implementation (`c360 bench`).

`run_benchmark` runs every scale; `format_table` prints the result. The pieces: `measure` (a
subprocess's wall time and peak RSS, a dbt build's node times), `floor` (the DuckDB floor
query), `pandas_path` (the mart's core columns in pandas, checked equal to the mart), `history`
(the history's cost at one scale) and `run` (scales, repetitions, the records and the table).
"""

from customer360.bench.run import (
    DEFAULT_REPEAT,
    DEFAULT_SCALES,
    DEFAULT_SEED,
    FORECAST_MODELS,
    MART,
    BenchError,
    BenchMismatch,
    BenchOptions,
    MartRules,
    Scale,
    ScalePaths,
    compare_with_mart,
    format_table,
    pandas_core_mart,
    parse_scale,
    read_mart,
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
    "MartRules",
    "Scale",
    "ScalePaths",
    "compare_with_mart",
    "format_table",
    "pandas_core_mart",
    "parse_scale",
    "read_mart",
    "run_benchmark",
    "select_scales",
]
