"""`c360 export`: deliver an audience from the published database as files or HTTP batches.

Exit status: 0 written or fully delivered, 1 some rows not delivered (the summary says which),
2 bad input (audience, format, filter value, owner, output directory, published database).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from customer360 import export
from customer360.settings import Settings

EXIT_UNDELIVERED = 1
EXIT_BAD_INPUT = 2
FILTERS = ("rule", "severity", "route", "owner", "segment")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export an audience (watchlist, engagement model) as files or HTTP batches",
        description=(
            "Read an audience from the published database ($C360_PUBLISHED_PATH, read-only) "
            "and write it as CSV, Parquet or JSON Lines (one file, or one per owner), or POST "
            "it in JSON batches to --url with an idempotency key per row and retries. Column "
            "names are stable (README, Exports). Exit status: 0 done, 1 rows not delivered, "
            "2 bad input."
        ),
    )
    parser.add_argument(
        "--audience",
        required=True,
        help=f"which audience: {', '.join(export.AUDIENCES)}",
    )
    parser.add_argument("--format", default="csv", help="csv (default), parquet or jsonl")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output directory (default: exports/ under $C360_REPORTS_DIR)",
    )
    parser.add_argument("--per-owner", action="store_true", help="one file per account owner")
    filters = parser.add_argument_group("filters (repeat an option to allow several values)")
    for name, text in (
        ("rule", "watchlist rule_id"),
        ("severity", "watchlist severity: info, warning, critical"),
        ("route", "watchlist route: human, automated"),
        ("owner", "account_owner_id ('unassigned' for customers without one)"),
        ("segment", "customer_segment: High-Value Enterprise, Enterprise, SMB"),
    ):
        filters.add_argument(f"--{name}", action="append", default=[], help=text)
    push = parser.add_argument_group("push mode")
    push.add_argument(
        "--url",
        help="POST JSON batches here instead of writing files (only scheme and host are shown)",
    )
    push.add_argument("--batch-size", type=int, default=500, help="rows per POST (default 500)")
    push.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for a response (default 30)"
    )
    push.add_argument(
        "--max-attempts", type=int, default=5, help="attempts per batch, retries included (5)"
    )
    push.add_argument(
        "--backoff-seconds",
        type=float,
        default=0.5,
        help="first retry delay; doubles each retry, capped at 30 s (default 0.5)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    filters = {name: getattr(args, name) for name in FILTERS}
    try:
        if args.url is not None:
            receiver = export.Receiver.from_url(args.url)
        elif args.format not in export.FORMATS:
            raise export.ExportError(
                f"unknown format {args.format!r}; expected one of {', '.join(export.FORMATS)}"
            )
        rows = export.read_audience(settings.published_path, args.audience, filters)
        if args.url is not None:
            return _push(args, rows, receiver)
        out_dir = args.out or settings.reports_dir / "exports"
        written = export.write_audience_files(rows, args.format, out_dir, args.per_owner)
    except export.ExportError as error:
        print(f"c360 export: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for item in written:
        print(f"wrote {item.rows:,} rows to {item.path}")
    print(
        f"c360 export: {rows.row_count:,} {rows.audience.name} rows in {len(written)} "
        f"{'file' if len(written) == 1 else 'files'}"
    )
    return 0


def _push(args: argparse.Namespace, rows: export.AudienceRows, receiver: export.Receiver) -> int:
    summary = export.push_audience(
        rows,
        receiver,
        batch_size=args.batch_size,
        timeout_seconds=args.timeout,
        max_attempts=args.max_attempts,
        backoff_base_seconds=args.backoff_seconds,
    )
    stream = sys.stdout if summary.complete else sys.stderr
    for line in summary.lines():
        print(f"c360 export: {line}", file=stream)
    return 0 if summary.complete else EXIT_UNDELIVERED
