"""`c360 bench`: time the pipeline against its floor and plain pandas at growing scales."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from customer360.bench import DEFAULT_REPEAT, DEFAULT_SCALES, DEFAULT_SEED

    parser = subparsers.add_parser(
        "bench",
        help="time the pipeline against its floor at growing scales",
        description=(
            "For each scale, generate raw data (cached per scale and seed under --work-dir), "
            "then time, --repeat times: the full `dbt build` (unit tests excluded) split into "
            "dbt's fixed cost and per-model execution; the SPEC floor (one DuckDB query per "
            "raw file that settles its keys and aggregates the accepted rows per customer); "
            "the core mart columns in plain pandas from the raw files, SPEC 2's row rules "
            "included, checked equal to the mart (a difference exits 1); and, labelled old, "
            "the earlier floor (no keys compared) and pandas path (from rows already "
            "accepted, settled untimed). Then, once, the history's cost against the repetition "
            "of median model time (the snapshot mart alone, history_months 0): the default "
            "build, and a rebuild that adds one month to a history built a "
            "month before, with the forecasts' fitting time. Each piece runs in its own "
            "process, whose peak RSS is reported. Medians are printed; --json writes one record "
            "per scale."
        ),
    )
    parser.add_argument(
        "--scales",
        default=None,
        help=f"comma-separated customer counts, e.g. 10k,100k (default {','.join(DEFAULT_SCALES)})",
    )
    parser.add_argument(
        "--include-10m",
        action="store_true",
        help="add the 10m scale (about 10 minutes to generate, much longer to build)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=DEFAULT_REPEAT,
        help=f"repetitions per scale; medians are reported (default {DEFAULT_REPEAT})",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="raw data cache and per-scale builds (default: data/bench in the project)",
    )
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="skip the history's cost (a build with history_months 0, a build a month before "
        "as_of_date and the rebuild that adds that month)",
    )
    parser.add_argument(
        "--no-pandas",
        action="store_true",
        help="skip both pandas paths (they are skipped anyway at a scale whose raw rows would "
        "not fit in memory, at about 212 bytes a row)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the records to this file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from customer360.bench import (
        BenchError,
        BenchMismatch,
        BenchOptions,
        format_table,
        run_benchmark,
        select_scales,
    )

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def write_json(result: dict) -> None:
        # Rewritten after every scale, so the finished scales survive a stopped long run.
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")

    try:
        options = BenchOptions(
            scales=select_scales(args.scales, args.include_10m),
            repeat=args.repeat,
            seed=args.seed,
            work_dir=args.work_dir,
            history=not args.no_history,
            pandas=not args.no_pandas,
        )
        result = run_benchmark(options, say, write_json)
    except BenchMismatch as error:
        print(f"c360 bench: {error}", file=sys.stderr)
        return 1
    except BenchError as error:
        print(f"c360 bench: {error}", file=sys.stderr)
        return 2
    print(format_table(result))
    if args.json:
        print(f"wrote {len(result['records'])} records to {args.json}")
    return 0
