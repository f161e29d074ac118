#!/usr/bin/env bash
# The main job on a fresh machine: set up, then demo data (if absent) -> dbt build -> report.
#
# The report's PNG charts need a Chromium (kaleido drives it). When none is found and this
# runs as root with apt-get (a fresh Debian machine, a container), Debian's chromium is
# installed first; otherwise the report is written without PNGs and says why.
set -euo pipefail
cd "$(dirname "$0")/.."

has_chromium() {
    [ -n "${BROWSER_PATH:-}" ] && [ -x "$BROWSER_PATH" ] && return 0
    local name
    for name in chromium chromium-browser google-chrome; do
        command -v "$name" >/dev/null 2>&1 && return 0
    done
    return 1
}

if ! has_chromium; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing Debian's chromium and fonts-liberation for the report's PNG charts"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            chromium fonts-liberation
    else
        echo "== no Chromium found and cannot install it here (needs root and apt-get): the" \
            "report's PNG charts will be skipped; install chromium or set BROWSER_PATH"
    fi
fi

bash scripts/setup.sh
exec .venv/bin/c360 demo "$@"
