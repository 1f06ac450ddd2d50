#!/usr/bin/env bash
# Create .venv if missing and (re)install the project with its dev extras when pyproject.toml
# changed since the last install (sha256 stamp in .venv/.cadre-install-stamp).
#   scripts/ensure-venv.sh          (PYTHON_BIN overrides the interpreter used to create .venv)
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

want="$(sha256sum <pyproject.toml | cut -d' ' -f1)"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
  py="$(pick_python)"
  log "creating .venv with $py ($("$py" --version 2>&1))"
  rm -rf "$VENV"
  "$py" -m venv "$VENV" || { log "ERROR: '$py -m venv' failed (Debian: apt-get install -y python3-venv)"; exit 1; }
fi
if [[ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]]; then
  log "installing the project: pip install -e '.[dev]' (output in .venv/pip-install.log)"
  t0=$SECONDS
  if ! "$VENV/bin/python" -m pip install -q -e '.[dev]' >"$VENV/pip-install.log" 2>&1; then
    tail -n 40 "$VENV/pip-install.log" >&2
    log "ERROR: pip install failed"
    exit 1
  fi
  echo "$want" >"$STAMP"
  log "installed in $((SECONDS - t0))s"
fi
