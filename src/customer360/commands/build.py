"""`c360 build`: run `dbt build` on the raw files, then publish the mart for readers."""

from __future__ import annotations

import argparse
import json

from customer360.dbt_runner import run_dbt
from customer360.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="run dbt build (seeds, models, tests) and publish the mart",
        description=(
            "Run `dbt build` against the raw files in $C360_RAW_DIR, writing the work "
            "database $C360_DUCKDB_PATH. Extra arguments after `--` go to dbt unchanged."
        ),
    )
    parser.add_argument("--as-of-date", help="analysis date YYYY-MM-DD (default: from the data)")
    parser.add_argument("--vars", default=None, help="more dbt vars as a JSON/YAML mapping")
    parser.add_argument("dbt_args", nargs=argparse.REMAINDER, help="passed on to dbt build")
    parser.set_defaults(func=run)


def dbt_vars_from(args: argparse.Namespace) -> dict:
    dbt_vars = json.loads(args.vars) if args.vars else {}
    if args.as_of_date:
        dbt_vars["as_of_date"] = args.as_of_date
    return dbt_vars


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if not settings.raw_dir.is_dir():
        print(
            f"c360 build: raw directory {settings.raw_dir} does not exist; "
            "run `c360 generate` or set C360_RAW_DIR"
        )
        return 2
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    extra = [a for a in args.dbt_args if a != "--"]
    result = run_dbt(settings, ["build", *extra], dbt_vars_from(args))
    return result.returncode
