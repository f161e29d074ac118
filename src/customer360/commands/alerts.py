"""`c360 alerts`: summarise the last build's test results as alerts, and say whether to page.

Exit status, for a scheduler: 0 nothing to page (warnings may be listed), 1 page (a model or an
error-severity test failed, or `c360 build` recorded a failure of its own: the on-run-start
hook, the publish guard, publishing, or a build killed mid-way; with `--fail-on warn` warnings
page too), 2 no results to judge (neither run_results.json nor a record of `c360 build`),
3 the webhook could not be reached (only when nothing else asks to page).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from customer360 import alerts
from customer360.dbt_artifacts import (
    build_record_path,
    read_build_record,
    read_run_results,
    target_dir,
)
from customer360.settings import Settings

DEFAULT_WEBHOOK_ENV = "C360_ALERTS_WEBHOOK_URL"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "alerts",
        help="summarise the last build's test results as alerts (digest, JSON, webhook)",
        description=(
            "Read run_results.json and c360_build.json of the last `c360 build` (in "
            "$DBT_TARGET_PATH, default target/) and the failing rows in "
            "customer360__test_failures, and print a digest of "
            "errors, warnings and metric drift. The JSON payload can be written to a file and "
            f"POSTed to the webhook URL in ${DEFAULT_WEBHOOK_ENV}. Exit status: 0 nothing to "
            "page, 1 page, 2 no results to judge, 3 webhook not delivered."
        ),
    )
    parser.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="what to print on stdout (default: the Markdown digest)",
    )
    parser.add_argument("--json-out", type=Path, help="also write the JSON payload here")
    parser.add_argument("--markdown-out", type=Path, help="also write the digest here")
    parser.add_argument(
        "--run-results",
        type=Path,
        help="run_results.json to read (default: the dbt target directory's)",
    )
    parser.add_argument(
        "--fail-on",
        choices=("error", "warn"),
        default="error",
        help="lowest severity that pages (exit 1); default: error",
    )
    parser.add_argument(
        "--webhook-env",
        default=DEFAULT_WEBHOOK_ENV,
        help=f"environment variable holding the webhook URL ({DEFAULT_WEBHOOK_ENV})",
    )
    parser.add_argument(
        "--webhook-on",
        choices=("always", "warn", "error"),
        default="warn",
        help="send to the webhook always, on warnings or errors, or on errors",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    run_results_path = args.run_results or target_dir(settings) / "run_results.json"
    # c360 build keeps its record beside the results it reads; an explicit --run-results file
    # is judged on its own.
    record = None if args.run_results else read_build_record(build_record_path(settings))
    try:
        run_results = read_run_results(run_results_path)
    except (OSError, ValueError, KeyError) as error:
        if record is None or record.get("state") == "ok":
            print(
                f"c360 alerts: no results to judge in {run_results_path} ({error}); the last "
                "build may have died before dbt wrote them",
                file=sys.stderr,
            )
            return alerts.EXIT_NO_RESULTS
        run_results = None
    report = alerts.build_report(
        run_results,
        manifest_path=run_results_path.with_name("manifest.json"),
        work_database=settings.duckdb_path,
        published_database=settings.published_path,
        build_record=record,
    )
    payload = alerts.to_payload(report, args.fail_on)
    _write_outputs(args, payload)
    status = report.exit_code(args.fail_on)
    if not _deliver(args, report, payload) and status == alerts.EXIT_OK:
        return alerts.EXIT_DELIVERY_FAILED
    return status


def _write_outputs(args: argparse.Namespace, payload: dict) -> None:
    as_json = alerts.payload_json(payload, indent=2)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(as_json + "\n")
    if args.markdown_out:
        args.markdown_out.parent.mkdir(parents=True, exist_ok=True)
        args.markdown_out.write_text(payload["text"])
    print(
        as_json if args.format == "json" else payload["text"],
        end="\n" if args.format == "json" else "",
    )


def _deliver(args: argparse.Namespace, report: alerts.AlertReport, payload: dict) -> bool:
    """POST to the webhook when configured and due; False only when delivery failed."""
    url = os.environ.get(args.webhook_env)
    due = {"always": True, "warn": report.status != "ok", "error": report.status == "error"}
    if not url or not due[args.webhook_on]:
        return True
    try:
        status = alerts.post_webhook(url, payload)
    except OSError as error:
        print(f"c360 alerts: webhook ${args.webhook_env} not delivered: {error}", file=sys.stderr)
        return False
    print(f"c360 alerts: sent to webhook ${args.webhook_env} (HTTP {status})", file=sys.stderr)
    return True
