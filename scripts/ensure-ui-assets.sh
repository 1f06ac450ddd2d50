#!/usr/bin/env bash
# Install the UI tests' pinned assets (tests/ui/axe: npm axe-core, exactly the lock) into tests/ui/axe/node_modules,
# again whenever the lock changed (sha256 stamp). The tests read them from there; nothing downloads at test time.
#   scripts/ensure-ui-assets.sh
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$REPO_ROOT/tests/ui/axe"
STAMP="$DIR/node_modules/.cadre-install-stamp"
log() { echo "ensure-ui-assets: $*" >&2; }
command -v npm >/dev/null || { log "ERROR: npm is missing (Debian: apt-get install -y npm)"; exit 1; }
want="$(cat "$DIR/package.json" "$DIR/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" || ! -f "$DIR/node_modules/axe-core/axe.min.js" ]]; then
  log "installing the lock: npm ci (output in $DIR/npm-ci.log)"
  # --ignore-scripts: an asset is a file to read, nothing runs at install time
  if ! (cd "$DIR" && npm ci --no-audit --no-fund --ignore-scripts >"$DIR/npm-ci.log" 2>&1); then
    tail -n 30 "$DIR/npm-ci.log" >&2
    log "ERROR: npm ci failed"
    exit 1
  fi
  echo "$want" >"$STAMP"
fi
