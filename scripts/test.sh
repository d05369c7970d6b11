#!/usr/bin/env bash
# The test command: lint, then every tier (unit, integration, e2e, browser; slow tiers included)
# on SQLite, then the integration tier again on PostgreSQL. With arguments, lint and then one
# pytest run with those arguments (GRANTFLOW_TEST_DATABASE=postgresql picks PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."

# The PostgreSQL pass: every integration test that makes a grantflow database, each database a
# fresh schema (tests/support/databases.py). Left out: tests marked both_databases (they run on
# both databases in the SQLite pass already) and tests/integration/documents (rendering and
# the document store; no database), ignored by directory so they are not even collected.
POSTGRESQL_PASS=(tests/integration -m "not both_databases" --ignore=tests/integration/documents)

# Both passes spread their test files over worker processes (pytest-xdist; one per core, at
# most 4), each with its own Prefect test harness; a file stays on one worker, so module and
# session fixtures are built once per worker. Files go out in collection order, which
# tests/conftest.py begins with the files holding slow tests (xdist would otherwise send the
# files with the most tests first and the long one-test files last).
workers=$(nproc 2>/dev/null || echo 2)
[ "$workers" -gt 4 ] && workers=4
PARALLEL=(-n "$workers" --dist loadfile --no-loadscope-reorder)
# Each full pass ends by naming its slowest tests, so a pass that grows shows where.
DURATIONS=(--durations=15 --durations-min=20)

postgres_reachable=unknown
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
    postgres_reachable=yes
    echo "== PostgreSQL: reachable at 127.0.0.1:5432"
  else
    postgres_reachable=no
    echo "== PostgreSQL: NOT reachable at 127.0.0.1:5432; its tests fail under CI=true, skip otherwise"
  fi
}

CHROMIUM=/usr/bin/chromium
ensure_chromium() {
  # The browser tier (tests/browser) drives Debian's chromium through Playwright (Playwright's
  # own browser download needs a network this project does not assume). Installed here, not in
  # bootstrap.sh: only the tests need a browser. Idempotent: nothing to do once it is there.
  if [ -x "$CHROMIUM" ]; then
    echo "== chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    return
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "== chromium: installing Debian's chromium for the browser tier (apt-get)"
    # No recommends (a desktop's worth); Liberation and DejaVu fonts so screenshots are legible.
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
         --no-install-recommends chromium fonts-liberation fonts-dejavu-core >/dev/null; then
      [ -x "$CHROMIUM" ] && return
    fi
  fi
  echo "== chromium: NOT available at $CHROMIUM (install Debian's chromium package as root);"
  echo "   the browser tier fails under CI=true, is skipped otherwise"
}

PDFSIG=/usr/bin/pdfsig
ensure_pdfsig() {
  # The signing tests read executed agreements back with poppler's pdfsig (a second, independent
  # reader of PDF signatures besides pyHanko), and tests/support/reading.py reads a document's
  # body text with its pdftotext (same package). Installed here, not in bootstrap.sh: only the
  # tests need it. Idempotent: nothing to do once it is there.
  if [ -x "$PDFSIG" ]; then
    echo "== pdfsig: $PDFSIG"
    return
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "== pdfsig: installing Debian's poppler-utils for the signing tests (apt-get)"
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
         --no-install-recommends poppler-utils >/dev/null; then
      [ -x "$PDFSIG" ] && return
    fi
  fi
  echo "== pdfsig: NOT available at $PDFSIG (install Debian's poppler-utils package as root);"
  echo "   the tests reading signatures with it fail under CI=true, are skipped otherwise"
}

# Whether this run collects tests/browser: every run without paths does; a run naming paths
# only when one of them is tests/browser (or inside it) or contains it (tests, .).
runs_browser_tier() {
  local argument path named=no
  for argument in "$@"; do
    path="${argument%%::*}"
    case "$argument" in -*) continue ;; esac
    [ -e "$path" ] || continue
    named=yes
    path="$(realpath -m --relative-to=. "$path")"
    case "$path" in
      .|tests|tests/browser|tests/browser/*) return 0 ;;
    esac
  done
  [ "$named" = no ]
}

echo "== ruff"
.venv/bin/ruff check .
ensure_postgres
ensure_pdfsig
if runs_browser_tier "$@"; then
  ensure_chromium
fi

if [ $# -gt 0 ]; then
  echo "== pytest"
  exec .venv/bin/python -m pytest "$@"
fi

status=0
echo "== pytest: every tier on SQLite"
GRANTFLOW_TEST_DATABASE=sqlite .venv/bin/python -m pytest "${PARALLEL[@]}" "${DURATIONS[@]}" || status=1

echo "== pytest: integration tier on PostgreSQL"
if [ "$postgres_reachable" = no ] && [ "${CI:-}" = "true" ]; then
  echo "== PostgreSQL pass FAILED: PostgreSQL is not reachable at 127.0.0.1:5432 (CI=true)"
  status=1
elif [ "$postgres_reachable" = no ]; then
  echo "== PostgreSQL pass SKIPPED: PostgreSQL is not reachable at 127.0.0.1:5432 (it fails under CI=true)"
else
  GRANTFLOW_TEST_DATABASE=postgresql .venv/bin/python -m pytest "${PARALLEL[@]}" "${DURATIONS[@]}" "${POSTGRESQL_PASS[@]}" \
    || status=1
fi

[ "$status" = 0 ] || echo "== tests FAILED (see above)"
exit "$status"
