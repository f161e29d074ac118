#!/usr/bin/env bash
# Set up, then run every check CI runs: style (ruff, sqlfluff) and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"
ruff check src tests python_models
ruff format --check src tests python_models

echo "== sqlfluff"
bash scripts/lint_sql.sh

echo "== dbt-score"
# Metadata quality with dbt-score's default rules: owners, descriptions of every model, column
# and macro, example queries on the public marts. `dbt parse` needs no database and no raw data.
score_target="$(mktemp -d)"
dbt parse --quiet --target-path "$score_target"
dbt-score lint --manifest "$score_target/manifest.json" --fail-project-under 9.5
rm -rf "$score_target"

echo "== pytest"
# One worker per core (C360_TEST_WORKERS to change; 0 runs in this process). Each test file stays
# on one worker, so a module's fixture (a generated and built demo) is built once.
exec pytest -n "${C360_TEST_WORKERS:-2}" --dist loadfile "$@"
