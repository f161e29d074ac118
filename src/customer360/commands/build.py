"""`c360 build`: run `dbt build` on the raw files, then publish the mart for readers.

Publishing policy: the mart is published only when `dbt build` exits 0, i.e. no model failed
and no test of severity error failed. Tests of severity warn (data-quality symptoms such as
rejected rows or a drifting metric) do not stop publishing: the mart is right for the data
accepted, and `c360 alerts` reports them. On any error, or a build killed mid-way, readers keep
the last published mart. A run that did not rebuild every required public mart (a
`--select`, or `--empty`) is not published either, and a public model the run did not rebuild
is left out, so the published tables always come from one build. What is published: every
model with `access: public` (at least the marts of SPEC section 4), and the failing rows of
this run's tests (schema audit).

Exit status: dbt's own when it failed, 2 without a raw directory, 3 when the build passed but
publishing failed (the previous published mart is still in place), else 0.
"""

from __future__ import annotations

import argparse
import json

from customer360 import publish
from customer360.dbt_artifacts import (
    RunResults,
    public_model_names,
    read_manifest_nodes,
    read_run_results,
    target_dir,
)
from customer360.dbt_runner import run_dbt
from customer360.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="run dbt build (seeds, models, tests) and publish the mart",
        description=(
            "Run `dbt build` against the raw files in $C360_RAW_DIR, writing the work "
            "database $C360_DUCKDB_PATH, then publish the public marts atomically to "
            "$C360_PUBLISHED_PATH for BI readers (only when the build passed: warnings are "
            "published, errors are not). Extra arguments after `--` go to dbt unchanged."
        ),
    )
    parser.add_argument("--as-of-date", help="analysis date YYYY-MM-DD (default: from the data)")
    parser.add_argument("--vars", default=None, help="more dbt vars as a JSON/YAML mapping")
    parser.add_argument(
        "--no-publish",
        action="store_true",
        help="build the work database only; leave $C360_PUBLISHED_PATH as it is",
    )
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
    run_results_path = target_dir(settings) / "run_results.json"
    # A run that dies before writing results must not leave the previous run's results behind
    # for `c360 alerts` (or the publish check) to mistake for its own.
    run_results_path.unlink(missing_ok=True)
    result = run_dbt(settings, ["build", *extra], dbt_vars_from(args))
    if result.returncode != 0:
        print(
            f"c360 build: dbt build failed (exit {result.returncode}); not published: readers "
            f"keep {settings.published_path}. `c360 alerts` summarises what failed."
        )
        return result.returncode
    if args.no_publish:
        return 0
    return publish_run(settings, read_run_results(run_results_path))


def publish_run(settings: Settings, run_results: RunResults) -> int:
    """Publish a passed run if it rebuilt every required mart; 0 when published or skipped."""
    reason = unpublishable_reason(run_results)
    if reason:
        print(f"c360 build: not published ({reason}); readers keep {settings.published_path}")
        return 0
    manifest = read_manifest_nodes(target_dir(settings) / "manifest.json")
    rebuilt = rebuilt_models(run_results)
    audit_tables = [
        r.relation_name.split(".")[-1].strip('"')
        for r in run_results.results
        if r.resource_type == "test" and r.relation_name
    ]
    try:
        publication = publish.publish(
            settings.duckdb_path,
            settings.published_path,
            tables=public_model_names(manifest) & rebuilt,
            invocation_id=run_results.invocation_id,
            audit_tables=audit_tables,
        )
    except (publish.PublishError, OSError) as error:
        print(f"c360 build: publishing failed: {error}; readers keep {settings.published_path}")
        return 3
    customers = publication.row_counts["customer360__customer_value_analysis"]
    print(
        f"c360 build: published {len(publication.tables)} tables and "
        f"{len(publication.audit_tables)} stored test results to {publication.path} "
        f"(as_of_date {publication.as_of_date}, {customers:,} customers)"
    )
    return 0


def unpublishable_reason(run_results: RunResults) -> str | None:
    """Why a passed run must not be published, or None when it may be."""
    if run_results.is_empty_run:
        return "an --empty run builds empty tables"
    rebuilt = rebuilt_models(run_results)
    stale = [name for name in publish.REQUIRED_TABLES if name not in rebuilt]
    if stale:
        return f"this run did not rebuild {', '.join(stale)}"
    return None


def rebuilt_models(run_results: RunResults) -> set[str]:
    return {
        r.name for r in run_results.results if r.resource_type == "model" and r.status == "success"
    }
