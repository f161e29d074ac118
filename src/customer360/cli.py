"""The `c360` command line: one entry point for everything around the dbt project.

    c360 demo       generate demo data if absent, build the mart, write the report
    c360 generate   write deterministic demo raw files
    c360 build      run `dbt build` and publish the mart for BI readers
    c360 report     render the HTML/PNG report from the published mart
    c360 validate   run the Great Expectations suite on the published mart
    c360 alerts     summarise the last build's test results as alerts
    c360 export     export an audience (watchlist, engagement model) as files or HTTP batches
    c360 bench      time the pipeline against its floor at growing scales

Each subcommand lives in its own module, which exposes `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules that register a subcommand, in the order `--help` lists them.
COMMAND_MODULES = (
    "customer360.commands.demo",
    "customer360.commands.generate",
    "customer360.commands.build",
    "customer360.commands.report",
    "customer360.commands.validate",
    "customer360.commands.alerts",
    "customer360.commands.export",
    "customer360.commands.bench",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="c360",
        description=(
            "customer360: build a customer value mart from raw files with dbt and DuckDB. "
            "Paths come from C360_RAW_DIR, C360_DUCKDB_PATH, C360_PUBLISHED_PATH and "
            "C360_REPORTS_DIR (defaults under the project root)."
        ),
        epilog="Start with `c360 demo`; `c360 <command> --help` explains each command.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
