"""Running the benchmark: scales, repetitions, and the record and table of what was measured.

For each scale the raw data is generated once per (scale, seed) and cached; each repetition
then measures the dbt build and parse, the SPEC floor and the pandas path from the raw files
(checked equal to the mart), and the old floor and old pandas path (from rows already
accepted) under their labels; the history's cost is measured once after them. A scale's record
holds the medians over the repetitions, their ratios, the peak RSS of each piece and the load
average around it; `format_table` prints one row per scale.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from customer360.bench.history import history_record, time_history
from customer360.bench.measure import (
    BUILD_COMMAND,
    SNAPSHOT_VARS,
    BenchError,
    BuildRun,
    ChildRun,
    Measured,
    ScalePaths,
    bench_dbt_threads,
    run_child,
    time_build,
    time_parse,
    warm_parse,
)
from customer360.bench.pandas_path import (
    CORE_COLUMNS,
    FLOAT_TOLERANCE,
    Comparison,
    check_pandas_output,
    export_accepted_rows,
)
from customer360.settings import duckdb_memory_limit, find_project_dir

DEFAULT_SCALES = ("10k", "100k", "1m")
# Scales from this size on take minutes to generate and much longer to build: opt-in only.
LARGE_SCALE_CUSTOMERS = 10_000_000
DEFAULT_REPEAT = 3
DEFAULT_SEED = 42
RAW_MARKER = "bench-raw.json"
# The pandas path from the raw files holds every raw row at once: 7,045 MB for 34.9M raw rows at
# 1M (2026-12-06), some 212 bytes a row. A scale whose estimate does not fit in the machine's
# memory skips both pandas pieces, saying so, instead of being killed half-way.
PANDAS_BYTES_PER_RAW_ROW = 212


# --- scales -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """A benchmark size: its label (10k, 1m, ...) and number of customers."""

    label: str
    customers: int


def scale_label(customers: int) -> str:
    for suffix, unit in (("m", 1_000_000), ("k", 1_000)):
        if customers % unit == 0:
            return f"{customers // unit}{suffix}"
    return str(customers)


def parse_scale(text: str) -> Scale:
    """'10k', '1m', '2500' -> Scale; the label is normalised so cache dirs are stable."""
    match = re.fullmatch(r"(\d+)([km]?)", text.strip().lower().replace("_", ""))
    if not match:
        raise BenchError(f"unknown scale {text!r}: use a number of customers, e.g. 10k, 1m, 2500")
    customers = int(match[1]) * {"": 1, "k": 1_000, "m": 1_000_000}[match[2]]
    return Scale(scale_label(customers), customers)


def select_scales(text: str | None, include_10m: bool) -> list[Scale]:
    """The scales to run: --scales, else the defaults (+10m with the flag)."""
    labels = text.split(",") if text else [*DEFAULT_SCALES, *(["10m"] if include_10m else [])]
    scales = [parse_scale(label) for label in labels if label.strip()]
    too_large = [s.label for s in scales if s.customers >= LARGE_SCALE_CUSTOMERS]
    if too_large and not include_10m:
        raise BenchError(
            f"scale {', '.join(too_large)} takes minutes to generate and long to build; "
            "add --include-10m to run it"
        )
    return scales


# --- machine --------------------------------------------------------------------------------


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on: stated with every result."""
    memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": round(memory_bytes / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": _version("duckdb"),
        "dbt_core": _version("dbt-core"),
        "dbt_duckdb": _version("dbt-duckdb"),
        "pandas": _version("pandas"),
        "dbt_threads": int(bench_dbt_threads()),
        "duckdb_memory_limit": duckdb_memory_limit(),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- raw data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawData:
    rows: dict[str, int]
    generated_s: float | None  # None: reused from the cache


def ensure_raw_data(scale: Scale, seed: int, raw_dir: Path) -> RawData:
    """Generate the scale's raw files unless a complete generation with this seed is cached."""
    from customer360.generate import generate_raw_data

    marker = raw_dir / RAW_MARKER
    if marker.is_file():
        cached = json.loads(marker.read_text())
        files_present = all((raw_dir / f"{t}.parquet").is_file() for t in cached["rows"])
        if cached["customers"] == scale.customers and cached["seed"] == seed and files_present:
            return RawData(cached["rows"], None)
    start = time.perf_counter()
    rows = generate_raw_data(
        raw_dir, customers=scale.customers, seed=seed, show_progress=sys.stderr.isatty()
    )
    generated_s = time.perf_counter() - start
    # Written last: a generation killed half-way leaves no marker and is redone next time.
    marker.write_text(json.dumps({"customers": scale.customers, "seed": seed, "rows": rows}))
    return RawData(dict(rows), generated_s)


# --- one scale, all scales ------------------------------------------------------------------------


@dataclass
class Repetition:
    build: BuildRun
    parse: Measured
    spec_floor: ChildRun
    pandas: ChildRun | None  # from the raw files; None when skipped
    floor: ChildRun  # the old floor
    pandas_accepted: ChildRun | None  # the old pandas path, from rows already accepted


def pandas_skip_reason(raw_rows: int, memory_gb: float, wanted: bool = True) -> str | None:
    """Why the pandas pieces are not run at this size, or None when they are."""
    if not wanted:
        return "skipped: --no-pandas"
    needed_gb = raw_rows * PANDAS_BYTES_PER_RAW_ROW / 2**30
    if needed_gb > memory_gb:
        return (
            f"skipped: pandas from the raw files would need about {needed_gb:.0f} GiB "
            f"({PANDAS_BYTES_PER_RAW_ROW} bytes per raw row, measured at 1M) and the machine "
            f"has {memory_gb} GiB"
        )
    return None


def _median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def _median_build(builds: list[BuildRun]) -> BuildRun:
    """The build whose model time is the median (the lower of the middle two for an even
    count): the snapshot build the history's ratios divide by, so that one slow or fast
    repetition does not move them."""
    ranked = sorted(builds, key=lambda build: sum(build.model_s.values()))
    return ranked[(len(ranked) - 1) // 2]


def run_scale(
    scale: Scale,
    paths: ScalePaths,
    *,
    seed: int,
    repeat: int,
    say: Callable[[str], None],
    with_history: bool = True,
    with_pandas: bool = True,
) -> dict[str, Any]:
    """Generate (or reuse) the raw data of one scale, measure every piece `repeat` times, then
    (with_history) the history's cost once. The pandas pieces run unless `with_pandas` is false
    or the scale's raw rows would not fit in memory (`pandas_skip_reason`)."""
    raw = ensure_raw_data(scale, seed, paths.raw_dir)
    rows = sum(raw.rows.values())
    say(
        f"[{scale.label}] raw data: {rows:,} rows in {paths.raw_dir} "
        + (f"(generated in {raw.generated_s:.1f} s)" if raw.generated_s else "(cached)")
    )
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    pandas_skipped = pandas_skip_reason(rows, machine_info()["memory_gb"], with_pandas)
    if pandas_skipped:
        say(f"[{scale.label}] pandas {pandas_skipped}")
    warm_parse(paths, SNAPSHOT_VARS)
    load_before = load_average()
    repetitions: list[Repetition] = []
    comparison: Comparison | None = None
    for repetition in range(1, repeat + 1):
        build = time_build(paths, repetition, SNAPSHOT_VARS)
        say(f"[{scale.label}] {repetition}/{repeat} dbt build {build.wall_s:.1f} s")
        if comparison is None and not pandas_skipped:
            export_accepted_rows(paths.raw_dir, paths.project_dir, paths.accepted_dir)
        parse = time_parse(paths, repetition, SNAPSHOT_VARS)
        spec_floor = run_child(paths, "spec-floor", _floor_args(paths), repetition)
        floor = run_child(paths, "floor", _floor_args(paths), repetition)
        say(
            f"[{scale.label}] {repetition}/{repeat} SPEC floor {spec_floor.seconds:.2f} s, "
            f"old floor {floor.seconds:.2f} s"
        )
        pandas_runs: dict[str, ChildRun] = {}
        if not pandas_skipped:
            for piece, source in (("pandas", "--raw-dir"), ("pandas-accepted", "--accepted-dir")):
                output = paths.build_dir / f"bench-{piece}-{repetition}.parquet"
                pandas_runs[piece] = run_child(
                    paths, piece, _pandas_args(paths, piece, source, output), repetition
                )
                comparison = check_pandas_output(output, paths.duckdb_path)
            assert comparison is not None
            say(
                f"[{scale.label}] {repetition}/{repeat} pandas from the raw files "
                f"{pandas_runs['pandas'].seconds:.2f} s, from the accepted rows (old) "
                f"{pandas_runs['pandas-accepted'].seconds:.2f} s; both equal to the mart on "
                f"{comparison.rows:,} customers"
            )
        repetitions.append(
            Repetition(
                build,
                parse,
                spec_floor,
                pandas_runs.get("pandas"),
                floor,
                pandas_runs.get("pandas-accepted"),
            )
        )
    history = None
    if with_history:
        say(f"[{scale.label}] history: the default build, a build a month earlier, a month added")
        history = time_history(paths, _median_build([r.build for r in repetitions]))
    record = scale_record(
        scale, seed, raw, repetitions, comparison, pandas_skipped, [load_before, load_average()]
    )
    if history is not None:
        record["history"] = history_record(history)
    return record


def _floor_args(paths: ScalePaths) -> list[str]:
    database = paths.build_dir / "floor.duckdb"
    return ["--raw-dir", str(paths.raw_dir), "--database", str(database)]


def _pandas_args(paths: ScalePaths, piece: str, source: str, output: Path) -> list[str]:
    return [
        source,
        str(paths.raw_dir if piece == "pandas" else paths.accepted_dir),
        "--project-dir",
        str(paths.project_dir),
        "--output",
        str(output),
    ]


def scale_record(
    scale: Scale,
    seed: int,
    raw: RawData,
    repetitions: list[Repetition],
    comparison: Comparison | None,
    pandas_skipped: str | None,
    load: list[list[float]],
) -> dict[str, Any]:
    """One JSON record: medians over the repetitions, ratios of those medians. Skipped pandas
    pieces are None, and so are their ratios; `pandas_check` then says why."""
    builds = [r.build for r in repetitions]
    model_names = sorted({name for b in builds for name in b.model_s})
    models = {name: _median(b.model_s.get(name, 0.0) for b in builds) for name in model_names}
    build_s = _median(b.wall_s for b in builds)
    model_s = _median(sum(b.model_s.values()) for b in builds)
    floor_s = _median(r.floor.seconds for r in repetitions)
    spec_floor_s = _median(r.spec_floor.seconds for r in repetitions)
    pandas_s = _of_runs((r.pandas for r in repetitions), "seconds", _median)
    pandas_accepted_s = _of_runs((r.pandas_accepted for r in repetitions), "seconds", _median)
    return {
        "scale": scale.label,
        "customers": scale.customers,
        "seed": seed,
        "raw_rows": sum(raw.rows.values()),
        "raw_rows_by_table": raw.rows,
        "repeat": len(repetitions),
        "build_s": build_s,
        "model_s": model_s,
        "test_s": _median(b.test_s for b in builds),
        "node_span_s": _median(b.span_s for b in builds),
        "dbt_fixed_s": _median(b.dbt_fixed_s for b in builds),
        "dbt_parse_s": _median(r.parse.wall_s for r in repetitions),
        "spec_floor_s": spec_floor_s,
        "pandas_s": pandas_s,
        "floor_s": floor_s,
        "pandas_accepted_s": pandas_accepted_s,
        "peak_rss_mb": {
            "build": max(b.peak_rss_mb for b in builds),
            "spec_floor": max(r.spec_floor.peak_rss_mb for r in repetitions),
            "pandas": _of_runs((r.pandas for r in repetitions), "peak_rss_mb", max),
            "floor": max(r.floor.peak_rss_mb for r in repetitions),
            "pandas_accepted": _of_runs(
                (r.pandas_accepted for r in repetitions), "peak_rss_mb", max
            ),
        },
        "ratios": {
            "models_over_spec_floor": _ratio(model_s, spec_floor_s),
            "build_over_spec_floor": _ratio(build_s, spec_floor_s),
            "pandas_over_build": _ratio(pandas_s, build_s),
            # the old anchors, kept to compare with earlier runs
            "build_over_floor": _ratio(model_s, floor_s),
            "pandas_accepted_over_build": _ratio(pandas_accepted_s, build_s),
        },
        "models_s": dict(sorted(models.items(), key=lambda item: -item[1])),
        "pandas_check": {
            "customers_compared": comparison.rows if comparison else None,
            "equal": comparison.equal if comparison else None,
            "skipped": pandas_skipped,
            "columns": list(CORE_COLUMNS),
            "float_tolerance": FLOAT_TOLERANCE,
            "accepted_rows": "pandas: from the raw files, SPEC 2's row rules applied in pandas; "
            "pandas_accepted (old): the same rules' accepted rows, settled untimed",
        },
        "load_average": {"before": load[0], "after": load[1]},
        "runs": [_repetition_record(r) for r in repetitions],
    }


def _of_runs(
    runs: Iterable[ChildRun | None], field: str, reduce: Callable[[list[float]], float]
) -> float | None:
    """`reduce` (the median of seconds, the max of peaks) of one field over a piece's runs,
    leaving out the runs skipped (None); None when every run was skipped."""
    values = [getattr(run, field) for run in runs if run is not None]
    return reduce(values) if values else None


def _repetition_record(repetition: Repetition) -> dict[str, float | None]:
    build = repetition.build
    return {
        "build_s": build.wall_s,
        "model_s": sum(build.model_s.values()),
        "test_s": build.test_s,
        "dbt_fixed_s": build.dbt_fixed_s,
        "dbt_parse_s": repetition.parse.wall_s,
        "spec_floor_s": repetition.spec_floor.seconds,
        "pandas_s": _of_runs([repetition.pandas], "seconds", _median),
        "floor_s": repetition.floor.seconds,
        "pandas_accepted_s": _of_runs([repetition.pandas_accepted], "seconds", _median),
        "build_peak_rss_mb": build.peak_rss_mb,
        "spec_floor_peak_rss_mb": repetition.spec_floor.peak_rss_mb,
        "pandas_peak_rss_mb": _of_runs([repetition.pandas], "peak_rss_mb", max),
        "floor_peak_rss_mb": repetition.floor.peak_rss_mb,
        "pandas_accepted_peak_rss_mb": _of_runs([repetition.pandas_accepted], "peak_rss_mb", max),
    }


@dataclass(frozen=True)
class BenchOptions:
    scales: list[Scale]
    repeat: int = DEFAULT_REPEAT
    seed: int = DEFAULT_SEED
    work_dir: Path | None = None
    project_dir: Path | None = None
    history: bool = True
    pandas: bool = True


def run_benchmark(
    options: BenchOptions,
    say: Callable[[str], None],
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Every scale in order; returns {machine, ..., records}.

    `on_record` gets the result so far after each scale: a long run that is stopped at 1m or
    10m keeps the scales it finished.
    """
    if options.repeat < 1:
        raise BenchError("--repeat must be at least 1")
    project_dir = options.project_dir or find_project_dir()
    work_dir = (options.work_dir or project_dir / "data" / "bench").resolve()
    machine = machine_info()
    say(f"machine: {describe_machine(machine)}; load average {load_average()}")
    result: dict[str, Any] = {
        "machine": machine,
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "build_command": "dbt "
        + " ".join(BUILD_COMMAND)
        + f" --vars '{json.dumps(SNAPSHOT_VARS)}'",
        "work_dir": str(work_dir),
        "records": [],
    }
    for scale in options.scales:
        paths = ScalePaths.of(project_dir, work_dir, scale, options.seed)
        record = run_scale(
            scale,
            paths,
            seed=options.seed,
            repeat=options.repeat,
            say=say,
            with_history=options.history,
            with_pandas=options.pandas,
        )
        result["records"].append(record)
        if on_record is not None:
            on_record(result)
    return result


# --- output -------------------------------------------------------------------------------------


def describe_machine(machine: dict[str, Any]) -> str:
    return (
        f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gb']} GiB; "
        f"Python {machine['python']}, DuckDB {machine['duckdb']}, dbt-core "
        f"{machine['dbt_core']}, dbt-duckdb {machine['dbt_duckdb']}, pandas {machine['pandas']}; "
        f"dbt threads {machine['dbt_threads']}, DuckDB memory_limit "
        f"{machine['duckdb_memory_limit']}"
    )


TABLE_COLUMNS = (
    ("scale", "scale", "{}"),
    ("raw rows", "raw_rows", "{:,}"),
    ("build s", "build_s", "{:.1f}"),
    ("models s", "model_s", "{:.1f}"),
    ("tests s", "test_s", "{:.1f}"),
    ("dbt fixed s", "dbt_fixed_s", "{:.1f}"),
    ("parse s", "dbt_parse_s", "{:.1f}"),
    ("SPEC floor s", "spec_floor_s", "{:.2f}"),
    ("pandas s", "pandas_s", "{:.2f}"),
    ("old floor s", "floor_s", "{:.2f}"),
    ("old pandas s", "pandas_accepted_s", "{:.2f}"),
)
RATIO_COLUMNS = (
    ("models/SPEC floor", "models_over_spec_floor", "{:.1f}x"),
    ("build/SPEC floor", "build_over_spec_floor", "{:.1f}x"),
    ("pandas/build", "pandas_over_build", "{:.2f}x"),
    ("models/old floor", "build_over_floor", "{:.1f}x"),
    ("old pandas/build", "pandas_accepted_over_build", "{:.2f}x"),
)
RSS_PIECES = ("build", "spec_floor", "pandas")


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return numerator / denominator if numerator is not None and denominator else None


def _cell(value: Any, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def format_table(result: dict[str, Any]) -> str:
    """The printed summary: one row per scale, then the slowest models and the machine."""
    header = [
        *(name for name, _, _ in TABLE_COLUMNS),
        "RSS MB build/SPEC floor/pandas",
        *(name for name, _, _ in RATIO_COLUMNS),
    ]
    rows = [header]
    for record in result["records"]:
        rss, ratios = record["peak_rss_mb"], record["ratios"]
        rows.append(
            [
                *(_cell(record[key], fmt) for _, key, fmt in TABLE_COLUMNS),
                "/".join(_cell(rss[piece], "{:.0f}") for piece in RSS_PIECES),
                *(_cell(ratios[key], fmt) for _, key, fmt in RATIO_COLUMNS),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    for record in result["records"]:
        top = list(record["models_s"].items())[:5]
        lines.append(
            f"slowest models at {record['scale']}: "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in top)
        )
        if skipped := record["pandas_check"]["skipped"]:
            lines.append(f"pandas at {record['scale']}: {skipped}")
    lines.append(
        f"medians of {result['records'][0]['repeat'] if result['records'] else 0} runs; "
        f"`{result['build_command']}`; machine: {describe_machine(result['machine'])}"
    )
    for record in result["records"]:
        if history := record.get("history"):
            ratios = history["ratios"]
            lines.append(
                f"history at {record['scale']}: snapshot SQL models "
                f"{history['snapshot_sql_model_s']:.1f} s; the history adds "
                f"{ratios['history_added_over_snapshot_models']:.2f}x of it, the rebuild that adds "
                f"a month {ratios['month_added_over_snapshot_models']:.2f}x; "
                f"forecast fits {history['forecast_fit_s']:.1f} s "
                f"({ratios['forecast_fit_over_history_sql']:.2f}x the history's SQL models); "
                f"peak RSS {history['peak_rss_mb']['history']:.0f} MB"
            )
    loads = ", ".join(
        f"{r['scale']} {r['load_average']['before'][0]}->{r['load_average']['after'][0]}"
        for r in result["records"]
    )
    lines.append(f"load average (1 min) before->after each scale: {loads}")
    return "\n".join(lines)
