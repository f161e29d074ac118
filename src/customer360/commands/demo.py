"""`c360 demo`: the main job, end to end: demo data if absent, build, report."""

from __future__ import annotations

import argparse

from customer360.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="the main job: generate demo data if absent, build, publish, report",
        description=(
            "Generate the default demo raw files into $C360_RAW_DIR unless customers and "
            "transactions files are already there, run `c360 build`, then `c360 report`."
        ),
    )
    parser.set_defaults(func=run)


def _has_raw_data(settings: Settings) -> bool:
    return all(
        any((settings.raw_dir / f"{table}.{fmt}").exists() for fmt in ("parquet", "csv"))
        for table in ("customers", "transactions")
    )


def run(args: argparse.Namespace) -> int:
    from customer360.cli import main

    settings = Settings.from_env()
    if not _has_raw_data(settings):
        status = main(["generate"])
        if status:
            return status
    else:
        print(f"using the raw files already in {settings.raw_dir}")
    status = main(["build"])
    if status:
        return status
    return main(["report"])
