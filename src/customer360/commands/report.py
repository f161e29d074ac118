"""`c360 report`: render the HTML report and its PNG charts from the published mart."""

from __future__ import annotations

import argparse
from pathlib import Path

from customer360.settings import Settings, existing_mart_database


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="render the HTML/PNG report from the published mart",
        description=(
            "Read the published mart database ($C360_PUBLISHED_PATH, read-only) and write "
            "customer_value_report.html with interactive plotly charts, plus a PNG of each "
            "chart under charts/, into $C360_REPORTS_DIR. PNGs need Chromium (kaleido); "
            "without it the HTML is still written and the reason is printed."
        ),
    )
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        help="read this DuckDB file instead of the published one",
    )
    parser.add_argument("--no-png", action="store_true", help="write the HTML only")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from customer360.report import write_report

    settings = Settings.from_env()
    database = existing_mart_database(args.database, "report")
    if database is None:
        return 2
    result = write_report(database, settings.reports_dir, with_png=not args.no_png)
    for note in result.notes:
        print(f"note: {note}")
    print(f"wrote {result.html_path}")
    if result.png_paths:
        print(f"wrote {len(result.png_paths)} PNG charts to {result.png_paths[0].parent}")
    elif args.no_png:
        print("PNG charts not written (--no-png)")
    else:
        print(
            f"PNG charts skipped: {result.png_skipped_reason}. kaleido needs Chromium: install "
            "it (Debian: apt-get install chromium) or set BROWSER_PATH to its executable."
        )
    return 0
