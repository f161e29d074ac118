#!/usr/bin/env bash
# Install what the `spark` target (profiles.yml) needs, for tests/python/test_spark_equality.py
# and for running the models on a local Spark: a Java 17+ runtime and, in .venv, dbt-spark with
# its session extra and PySpark at pinned versions. Idempotent: a second run only re-checks.
#
# The pins sit beside requirements.lock without changing it (pip installs them constrained by
# the lock, and `pip check` confirms): dbt-spark 1.11.0 needs the dbt-core/dbt-adapters already
# locked, and PySpark brings only py4j. Java comes from Debian (openjdk-17-jre-headless) when
# `java` is absent or older than 17; that needs root, as in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

SPARK_PINS=(
    "dbt-spark[session]==1.11.0"
    "pyspark==4.3.0"
    "py4j==0.10.9.9"
    "sqlparams==6.2.0"
)

java_major() {
    # `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' on stderr.
    java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install_spark.sh: Spark needs Java 17+; install it (Debian: apt-get install" \
            "openjdk-17-jre-headless) or run this script as root" >&2
        exit 1
    fi
    echo "== installing Java 17 (openjdk-17-jre-headless)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        openjdk-17-jre-headless
fi
echo "== java: $(java -version 2>&1 | head -n 1)"

if [ ! -x .venv/bin/python ]; then
    bash scripts/setup.sh
fi
echo "== installing ${SPARK_PINS[*]} into .venv"
.venv/bin/python -m pip install --quiet --constraint requirements.lock "${SPARK_PINS[@]}"
.venv/bin/python -m pip check
