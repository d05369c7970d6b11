#!/usr/bin/env bash
# The test command: lint, then every tier (unit, integration, e2e; slow tiers included).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ruff"
.venv/bin/ruff check .
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
