#!/usr/bin/env bash
# Create .venv if missing and install exactly the lock (uv.lock, dev extras included) into it, again whenever
# uv.lock, pyproject.toml or this script changed since the last install (sha256 stamp in .venv/.cadre-install-stamp).
#   scripts/ensure-venv.sh          (PYTHON_BIN overrides the interpreter used to create .venv)
# To change or upgrade a dependency: edit pyproject.toml, then `make lock` (or `make lock-upgrade`); see
# docs/dependencies.md.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
VENV="$REPO_ROOT/.venv"
STAMP="$VENV/.cadre-install-stamp"

log() { echo "ensure-venv: $*" >&2; }

pick_python() {
  if [[ -n "${PYTHON_BIN:-}" ]]; then echo "$PYTHON_BIN"; return; fi
  local p
  for p in python3.11 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$p"; return
    fi
  done
  log "ERROR: no Python >= 3.11 found (set PYTHON_BIN)"; exit 1
}

# the uv that installs the lock is itself pinned in pyproject.toml (dev extra), so every machine syncs alike
UV_VERSION="$(sed -n 's/^ *"uv==\([0-9.]*\)".*/\1/p' pyproject.toml | head -n1)"
[[ -n "$UV_VERSION" ]] || { log "ERROR: pyproject.toml pins no uv version (\"uv==X.Y.Z\" in the dev extra)"; exit 1; }

# the install itself is part of the stamp: a change to how it installs (this script) installs again
want="$(cat uv.lock pyproject.toml scripts/ensure-venv.sh | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
  py="$(pick_python)"
  log "creating .venv with $py ($("$py" --version 2>&1))"
  rm -rf "$VENV"
  "$py" -m venv "$VENV" || { log "ERROR: '$py -m venv' failed (Debian: apt-get install -y python3-venv)"; exit 1; }
fi
if [[ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]]; then
  t0=$SECONDS
  if [[ "$("$VENV/bin/uv" --version 2>/dev/null | awk '{print $2}')" != "$UV_VERSION" ]]; then
    log "bootstrapping uv $UV_VERSION into .venv"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION" >"$VENV/uv-bootstrap.log" 2>&1 ||
      { tail -n 20 "$VENV/uv-bootstrap.log" >&2; log "ERROR: could not install uv $UV_VERSION"; exit 1; }
  fi
  log "installing the lock: uv sync --locked --extra dev --compile-bytecode (output in .venv/uv-sync.log)"
  # --locked: refuse a uv.lock that no longer matches pyproject.toml instead of resolving anew.
  # --compile-bytecode: the packages' .pyc files are written now, once. Where PYTHONDONTWRITEBYTECODE is set (as on
  # these build machines) Python otherwise compiles every imported module from source in every process: 3-4
  # CPU-seconds for each service process of `cadre up`, and again for every process a test starts.
  if ! UV_PROJECT_ENVIRONMENT="$VENV" UV_PYTHON_DOWNLOADS=never "$VENV/bin/uv" sync --locked --extra dev \
    --compile-bytecode --python "$VENV/bin/python" >"$VENV/uv-sync.log" 2>&1; then
    tail -n 40 "$VENV/uv-sync.log" >&2
    log "ERROR: uv sync failed (uv.lock out of date? run 'make lock' and commit uv.lock)"
    exit 1
  fi
  echo "$want" >"$STAMP"
  log "installed in $((SECONDS - t0))s"
fi
# the project's own modules too (installed editable, so uv leaves them to Python); only what changed since the last
# run is compiled again, and a .pyc older than its source is never used
"$VENV/bin/python" -m compileall -q -j 0 contracts shared services workflows cli >/dev/null ||
  log "warning: compileall of the project's modules failed (Python will compile them on import)"
