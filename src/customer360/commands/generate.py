"""`c360 generate`: write deterministic demo raw files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from customer360.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    from customer360.generate import DEFAULT_CUSTOMERS, DEFAULT_SEED

    parser = subparsers.add_parser(
        "generate",
        help="write deterministic demo raw files (all six tables)",
        description=(
            "Write the six raw tables of the source contract as Parquet (or CSV). The same "
            "seed and size always give byte-identical files."
        ),
    )
    parser.add_argument(
        "--customers",
        type=int,
        default=DEFAULT_CUSTOMERS,
        help=f"number of customers, 1,000 to 10,000,000 (default {DEFAULT_CUSTOMERS:,})",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="output directory (default: $C360_RAW_DIR)"
    )
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument(
        "--bad-row-rate",
        type=float,
        default=None,
        help="share of deliberately contract-breaking rows per table (default: a few; 0 = none)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from customer360.generate import generate_raw_data

    out_dir = args.out or Settings.from_env().raw_dir
    extra = {} if args.bad_row_rate is None else {"bad_row_rate": args.bad_row_rate}
    try:
        rows = generate_raw_data(
            out_dir,
            customers=args.customers,
            seed=args.seed,
            file_format=args.format,
            show_progress=not args.quiet,
            **extra,
        )
    except ValueError as error:
        print(f"c360 generate: {error}", file=sys.stderr)
        return 2
    for table, count in rows.items():
        print(f"{table:<16} {count:>12,} rows")
    print(f"wrote {sum(rows.values()):,} rows to {out_dir}")
    return 0
