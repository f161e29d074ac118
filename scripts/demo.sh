#!/usr/bin/env bash
# The main job on a fresh machine: set up, then demo data (if absent) -> dbt build -> report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/c360 demo "$@"
