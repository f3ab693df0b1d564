#!/usr/bin/env bash
# The whole test suite: lint (ruff, sqlfluff) and pytest (generator, loaders on real vendor
# samples, and dbt build on generated data in a temporary warehouse).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# shellcheck disable=SC1091
source .venv/bin/activate

echo "== ruff"
ruff check ingestion tests bench
ruff format --check ingestion tests bench

echo "== sqlfluff (dbt templater, in-memory target)"
sqlfluff lint models analyses tests --disable-progress-bar

echo "== pytest"
pytest "$@"
