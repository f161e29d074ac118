"""The `c360` command line: one entry point for everything around the dbt project.

    c360 demo       generate demo data if absent, build the mart, write the report
    c360 generate   write deterministic demo raw files
    c360 build      run `dbt build` and publish the mart for BI readers
    c360 report     render the HTML/PNG report from the published mart
    c360 validate   run the Great Expectations suite on the published mart
    c360 alerts     summarise the last build's test results as alerts
    c360 export     export an audience (watchlist, engagement model) as files or HTTP batches
    c360 bench      time the pipeline against its floor at growing scales
    c360 superset   provision Apache Superset on the published mart (--serve: run it)

Each subcommand lives in its own module, which exposes `register(subparsers)`. A user error
that reaches here (a path that cannot be read or written, a database another process holds)
is reported in one line naming the command, never as a traceback; Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

import duckdb

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
    "customer360.commands.superset",
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


EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"c360 {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (OSError, ValueError, duckdb.Error) as error:
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"c360 {args.command}: {message}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
