#!/usr/bin/env bash
# Local Prometheus (Debian package) for development and tests.
#
#   deploy/local/prometheus.sh install   apt-get install prometheus if prometheus/promtool are missing
#   deploy/local/prometheus.sh start     start with PROM_CONFIG; blocks until /-/ready
#   deploy/local/prometheus.sh stop      SIGTERM, wait
#   deploy/local/prometheus.sh status    exit 0 if running, 3 otherwise
#   deploy/local/prometheus.sh reload    SIGHUP (re-read PROM_CONFIG and rule files)
#   deploy/local/prometheus.sh version
#
# Environment:
#   PROM_CONFIG   prometheus.yml to use (default: <repo>/deploy/prometheus/prometheus.yml)
#   PROM_PORT     listen port on 127.0.0.1 (default: 9090)
#   PROM_DIR      storage/log/pid directory (default: <repo>/var/prometheus)
#   PROM_RETENTION  TSDB retention (default: 2d)
#   PROM_START_TIMEOUT  seconds (default: 60)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

PROM_CONFIG="$(abspath "${PROM_CONFIG:-$REPO_ROOT/deploy/prometheus/prometheus.yml}")"
PROM_PORT="${PROM_PORT:-9090}"
PROM_DIR="$(abspath "${PROM_DIR:-$REPO_ROOT/var/prometheus}")"
PROM_RETENTION="${PROM_RETENTION:-2d}"
PROM_START_TIMEOUT="${PROM_START_TIMEOUT:-60}"
PIDFILE="$PROM_DIR/prometheus.pid"
LOGFILE="$PROM_DIR/prometheus.log"

log() { echo "prometheus.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

install() {
  if command -v prometheus >/dev/null && command -v promtool >/dev/null; then return 0; fi
  [[ $(id -u) -eq 0 ]] || die "prometheus missing; run as root: apt-get install -y prometheus"
  log "installing Debian prometheus"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends prometheus >/dev/null; } ||
    die "apt-get install prometheus failed"
}

prom_pid() {
  [[ -f "$PIDFILE" ]] || return 0
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--storage.tsdb.path=$PROM_DIR/data"; then
    echo "$pid"
  fi
}

ready() { python3 - "$PROM_PORT" <<'EOF' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/-/ready", timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
EOF
}

version() { prometheus --version 2>&1 | head -n1 | awk '{print $3}'; }

start() {
  command -v prometheus >/dev/null || install
  [[ -f "$PROM_CONFIG" ]] || die "config $PROM_CONFIG not found (set PROM_CONFIG)"
  mkdir -p "$PROM_DIR/data"
  promtool check config "$PROM_CONFIG" >"$PROM_DIR/check.out" 2>&1 ||
    { cat "$PROM_DIR/check.out" >&2; die "promtool check config $PROM_CONFIG failed"; }
  if [[ -n "$(prom_pid)" ]]; then
    log "already running (pid $(prom_pid))"
  else
    setsid prometheus --config.file="$PROM_CONFIG" --storage.tsdb.path="$PROM_DIR/data" \
      --storage.tsdb.retention.time="$PROM_RETENTION" \
      --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle \
      >>"$LOGFILE" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    log "started (pid $!, 127.0.0.1:$PROM_PORT, config $PROM_CONFIG)"
  fi
  local deadline=$((SECONDS + PROM_START_TIMEOUT))
  until ready; do
    if [[ -z "$(prom_pid)" ]]; then tail -n 20 "$LOGFILE" >&2 || true; die "prometheus exited during startup"; fi
    if ((SECONDS >= deadline)); then tail -n 20 "$LOGFILE" >&2 || true; die "prometheus not ready after ${PROM_START_TIMEOUT}s"; fi
    sleep 0.3
  done
  log "ready: http://127.0.0.1:$PROM_PORT (prometheus $(version))"
}

stop() {
  local pid deadline
  pid="$(prom_pid)"
  if [[ -z "$pid" ]]; then rm -f "$PIDFILE"; log "not running"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then kill -KILL "$pid" 2>/dev/null || true; fi
    sleep 0.2
  done
  rm -f "$PIDFILE"
  log "stopped (pid $pid)"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status)
    pid="$(prom_pid)"
    if [[ -n "$pid" ]]; then echo "running (pid $pid, 127.0.0.1:$PROM_PORT)"; else echo "stopped"; exit 3; fi
    ;;
  reload)
    pid="$(prom_pid)"
    [[ -n "$pid" ]] || die "not running"
    kill -HUP "$pid"
    log "reloaded (pid $pid)"
    ;;
  version) version ;;
  *) echo "usage: $0 {install|start|stop|status|reload|version}" >&2; exit 2 ;;
esac
