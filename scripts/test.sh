#!/usr/bin/env bash
# The test command: lint, then every tier (unit, integration, e2e; slow tiers included).
set -euo pipefail
cd "$(dirname "$0")/.."

ensure_postgres() {
  # The PostgreSQL tests use 127.0.0.1:5432 (trust auth, database `test`). Start the local
  # cluster if it is installed but stopped; say clearly when it cannot be reached.
  command -v pg_isready >/dev/null || { echo "== PostgreSQL: pg_isready not found"; return; }
  if ! pg_isready -h 127.0.0.1 -p 5432 -q && [ "$(id -u)" = "0" ] && command -v pg_ctlcluster >/dev/null; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
  fi
  if pg_isready -h 127.0.0.1 -p 5432 -q; then
    echo "== PostgreSQL: reachable at 127.0.0.1:5432"
  else
    echo "== PostgreSQL: NOT reachable at 127.0.0.1:5432; its tests fail under CI=true, skip otherwise"
  fi
}

echo "== ruff"
.venv/bin/ruff check .
ensure_postgres
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
