#!/usr/bin/env bash
# Install Apache Superset into its own virtualenv, .venv-superset, for `c360 superset` and
# tests/python/test_superset.py. Idempotent: a second run only re-checks the pins.
#
# Superset pins Flask, SQLAlchemy, pandas and more at versions that clash with the project's
# requirements.lock, so it lives beside .venv instead of in it, on Python 3.12 (Superset 6.1
# does not support 3.13; pyenv provides 3.12 on these machines, else any python3.12 on PATH).
# scripts/superset-requirements.txt pins the top-level packages; `rich`, `cachetools` and
# `flask-caching<2.4` are there because `superset db upgrade` fails without them. The
# project's requirements.lock is neither read nor changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-superset
REQUIREMENTS=scripts/superset-requirements.txt

find_python312() {
    if [ -n "${SUPERSET_PYTHON:-}" ]; then
        command -v "$SUPERSET_PYTHON" || true
        return
    fi
    local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}" candidate
    for candidate in "$pyenv_root"/versions/3.12*/bin/python3.12; do
        if [ -x "$candidate" ]; then echo "$candidate"; return; fi
    done
    # A pyenv shim may point at a version that is not selected; ask it to run.
    if candidate=$(command -v python3.12) && "$candidate" -c '' 2>/dev/null; then
        echo "$candidate"
    fi
}

if [ ! -x "$VENV/bin/python" ]; then
    python_bin=$(find_python312)
    if [ -z "$python_bin" ]; then
        echo "install_superset.sh: Superset 6.1 needs Python 3.12; none found (looked at" \
            "\$SUPERSET_PYTHON, ${PYENV_ROOT:-$HOME/.pyenv}/versions/3.12* and python3.12 on" \
            "PATH). Install it (pyenv install 3.12) or set SUPERSET_PYTHON to its executable" >&2
        exit 1
    fi
    echo "== creating $VENV with $python_bin ($("$python_bin" --version))"
    "$python_bin" -m venv "$VENV"
fi
"$VENV/bin/python" - <<'PY' || { echo "install_superset.sh: $VENV is not Python 3.12; remove it and run again" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info[:2] == (3, 12) else 1)
PY

echo "== installing $REQUIREMENTS into $VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -r "$REQUIREMENTS"
"$VENV/bin/python" -m pip check
echo "== $VENV: apache-superset $("$VENV/bin/python" -c "from importlib.metadata import version; print(version('apache-superset'))")"
