"""`c360 validate`: run the Great Expectations suites on the published mart."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from customer360.settings import Settings, existing_mart_database


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="run the Great Expectations suite on the published mart",
        description=(
            "Validate the published mart ($C360_PUBLISHED_PATH, read-only) with Great "
            "Expectations: the column tests the mart's model YAML declares, the HVE and segment "
            "rules, the row count against the accepted customers its publication row records, "
            "and distribution checks. Writes Data Docs under $C360_REPORTS_DIR/data_docs. Exit 1 "
            "when an expectation fails, with a summary of each."
        ),
    )
    parser.add_argument(
        "--database", type=Path, default=None, help="validate this DuckDB file instead"
    )
    parser.add_argument(
        "--vars",
        default=None,
        help=(
            "dbt vars to check against, as JSON, over dbt_project.yml's (default: the vars the "
            "published build recorded in its publication row)"
        ),
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from customer360.validate import RuleVars, validate_mart

    settings = Settings.from_env()
    database = existing_mart_database(args.database, "validate")
    if database is None:
        return 2
    # The rules' parameters come from the build that published the mart; --vars, or a file
    # without a publication row, falls back to dbt_project.yml's vars.
    recorded = None if args.vars else RuleVars.from_publication(database)
    rule_vars = recorded or RuleVars.from_project(
        settings.project_dir, json.loads(args.vars) if args.vars else None
    )
    source = (
        "the publication row"
        if recorded
        else "dbt_project.yml" + (" and --vars" if args.vars else "")
    )
    print(f"note: rule vars from {source}: {rule_vars.describe()}")
    outcome = validate_mart(database, settings.reports_dir, rule_vars, settings.project_dir)
    for note in outcome.notes:
        print(f"note: {note}")
    for failure in outcome.failures:
        print(failure.describe())
    if outcome.success:
        print(f"c360 validate: all {outcome.evaluated} expectations passed on {database}")
    else:
        print(
            f"c360 validate: {len(outcome.failures)} of {outcome.evaluated} expectations "
            f"FAILED on {database}"
        )
    print(f"Data Docs: {outcome.docs_index}")
    return 0 if outcome.success else 1
