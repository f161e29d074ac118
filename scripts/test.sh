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

echo "== pytest"
exec pytest "$@"
