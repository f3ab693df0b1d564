#!/usr/bin/env bash
# The same job on Apache Spark (local mode, in this process through dbt-spark's session
# method): environment, sample data, dlt load into a Parquet lake, dbt build --target spark.
# Needs Java 17 (`java` on PATH or JAVA_HOME). Safe to re-run: only new files load, and every
# run rebuilds the Spark tables (history logs append).
#   CUSTOMERS=500 SEED=7 ./scripts/run-spark.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
    echo "error: Spark needs Java 17: install it (Debian: openjdk-17-jre-headless) or set JAVA_HOME" >&2
    exit 1
fi
./scripts/setup.sh
# shellcheck disable=SC1091
source .venv/bin/activate

CUSTOMERS="${CUSTOMERS:-500}"
SEED="${SEED:-7}"
export LANDING_DIR="${LANDING_DIR:-$PWD/data/landing-spark}"
export GROUND_TRUTH_DIR="${GROUND_TRUTH_DIR:-$PWD/data/ground_truth-spark}"
export LAKE_DIR="${LAKE_DIR:-$PWD/data/lake}"
export MAILMART_SPARK_DIR="${MAILMART_SPARK_DIR:-$PWD/spark}"
export DBT_TARGET=spark

marker="$LANDING_DIR/.generated"
if [ "$(cat "$marker" 2>/dev/null || true)" != "customers=$CUSTOMERS seed=$SEED" ]; then
    echo "== generating sample data: $CUSTOMERS customers, seed $SEED -> $LANDING_DIR"
    rm -rf "$LANDING_DIR" "$LAKE_DIR"
    python -m ingestion generate --customers "$CUSTOMERS" --seed "$SEED"
    echo "customers=$CUSTOMERS seed=$SEED" > "$marker"
else
    echo "== sample data already generated ($marker)"
fi

echo "== loading landing files with dlt -> Parquet lake $LAKE_DIR"
python -m ingestion load --destination lake

echo "== dbt build --target spark (tables under $MAILMART_SPARK_DIR)"
started=$(date +%s)
dbt build --target spark
echo "== done in $(( $(date +%s) - started )) s: marts are Spark tables marts.* under $MAILMART_SPARK_DIR/warehouse"
