# Sourced by ./run: make the virtual environment and its installs current. Idempotent and
# quick when nothing changed (a stamp records the hash of pyproject.toml).
say() { echo "[grantflow setup] $*" >&2; }

find_python() {
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info < (3, 14) else 1)'; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

ensure_system_libraries() {
  # WeasyPrint renders through Pango and subsets fonts with HarfBuzz-Subset (its fontTools
  # fallback is slower and deprecated); python-docx and the rest are pure Python.
  local libraries
  libraries="$(ldconfig -p 2>/dev/null || true)"
  if grep -q 'libpango-1.0.so' <<<"$libraries" && grep -q 'libpangoft2-1.0.so' <<<"$libraries" &&
     grep -q 'libharfbuzz-subset.so' <<<"$libraries"; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    say "installing Pango for WeasyPrint (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 >/dev/null
  else
    say "WeasyPrint needs Pango and HarfBuzz-Subset: install libpango-1.0-0, libpangoft2-1.0-0"
    say "and libharfbuzz-subset0 (Debian/Ubuntu names) and retry"
    exit 3
  fi
}

ensure_venv() {
  local python stamp wanted
  python="$(find_python)" || { say "need Python 3.11 to 3.13 on PATH"; exit 3; }
  if [ ! -x .venv/bin/python ]; then
    say "creating .venv with $python"
    "$python" -m venv .venv
  fi
  stamp=.venv/.grantflow-installed
  wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    say "installing grantflow and its test tools into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 \
      | grep -v 'is ignored: it is neither a file nor a directory' >&2 || true
    .venv/bin/python -c 'import prefect, sqlmodel, weasyprint, docx, fastapi' \
      || { say "installation failed"; exit 3; }
    echo "$wanted" > "$stamp"
  fi
}

ensure_system_libraries
ensure_venv
