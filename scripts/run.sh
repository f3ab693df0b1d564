#!/usr/bin/env bash
# End to end on the embedded default: environment, sample data, dlt load into DuckDB,
# dbt build, dbt docs generate, the data quality report (target/quality_report.html).
# Safe to re-run: loads are idempotent and only new files load.
#   CUSTOMERS=5000 SEED=42 ./scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# shellcheck disable=SC1091
source .venv/bin/activate

CUSTOMERS="${CUSTOMERS:-5000}"
SEED="${SEED:-42}"
export LANDING_DIR="${LANDING_DIR:-$PWD/data/landing}"
export WAREHOUSE_PATH="${WAREHOUSE_PATH:-$PWD/warehouse.duckdb}"

marker="$LANDING_DIR/.generated"
if [ "$(cat "$marker" 2>/dev/null || true)" != "customers=$CUSTOMERS seed=$SEED" ]; then
    echo "== generating sample data: $CUSTOMERS customers, seed $SEED -> $LANDING_DIR"
    rm -rf "$LANDING_DIR"
    python -m ingestion generate --customers "$CUSTOMERS" --seed "$SEED"
    echo "customers=$CUSTOMERS seed=$SEED" > "$marker"
else
    echo "== sample data already generated ($marker)"
fi

echo "== loading landing files with dlt -> $WAREHOUSE_PATH"
python -m ingestion load

echo "== dbt build"
dbt build

echo "== dbt docs generate"
dbt docs generate

echo "== data quality report"
python -m ingestion quality-report --out target/quality_report.html

echo "== done: warehouse $WAREHOUSE_PATH; quality report $PWD/target/quality_report.html;"
echo "   browse lineage with: source .venv/bin/activate && dbt docs serve"
