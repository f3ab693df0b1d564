#!/usr/bin/env bash
# Create .venv with Python 3.11 and install the pinned stack (offline-safe: registries only).
# Re-running is cheap: it reinstalls only when pyproject.toml or requirements-lock.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "error: $PYTHON not found; install Python 3.11 or set PYTHON=/path/to/python3.11" >&2
    exit 1
fi

if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv with $("$PYTHON" --version)"
    "$PYTHON" -m venv .venv
fi

stamp=.venv/.mailmart-installed
want=$(cat pyproject.toml requirements-lock.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    echo "== installing pinned dependencies (requirements-lock.txt)"
    # (this machine's pip config lists optional local indexes; their "ignored" notes are noise)
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
        -c requirements-lock.txt -e '.[dev,spark]' 2> >(grep -v "^WARNING: Location" >&2)
    echo "$want" > "$stamp"
fi
