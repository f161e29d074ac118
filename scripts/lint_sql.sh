#!/usr/bin/env bash
# sqlfluff with the dbt templater over models and analyses. The templater compiles the
# project, so it needs the raw contract's env vars but no data.
set -euo pipefail
cd "$(dirname "$0")/.."
export C360_DUCKDB_PATH="${C360_DUCKDB_PATH:-$(mktemp -d)/lint.duckdb}"
sqlfluff lint models analyses --processes 2 --disable-progress-bar --nocolor "$@"
