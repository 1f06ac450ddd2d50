#!/usr/bin/env bash
# Throwaway local PostgreSQL cluster (Debian binaries) for development and tests.
#
#   deploy/local/postgres.sh start    initdb on first use, start, block until pg_isready
#   deploy/local/postgres.sh stop     fast shutdown (data kept)
#   deploy/local/postgres.sh kill     immediate shutdown (crash-like; data kept, recovery on next start)
#   deploy/local/postgres.sh status   exit 0 if running, 3 otherwise
#   deploy/local/postgres.sh wipe     delete PGDATA (refuses while running)
#   deploy/local/postgres.sh install  apt-get install postgresql if no server binaries exist
#   deploy/local/postgres.sh version  server version
#
# Environment:
#   PGDATA   data directory (default: <repo>/var/pg); every parent must be traversable by
#            the `postgres` OS user when run as root
#   PGPORT   TCP port on 127.0.0.1 (default: 55432)
#   PG_START_TIMEOUT  seconds (default: 60)
#
# Access: superuser `postgres`, no password (trust), host 127.0.0.1 only:
#   postgresql://postgres@127.0.0.1:$PGPORT/postgres
# Durability is switched off (fsync=off etc.): this cluster is for tests and dev only.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

PGDATA="$(abspath "${PGDATA:-$REPO_ROOT/var/pg}")"
PGPORT="${PGPORT:-55432}"
PG_START_TIMEOUT="${PG_START_TIMEOUT:-60}"
LOGFILE="$(dirname "$PGDATA")/$(basename "$PGDATA").log"

log() { echo "postgres.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pg_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  [[ -n "$d" && -x "$d/postgres" ]] && echo "$d"
}

install_pg() {
  [[ -n "$(pg_bindir)" ]] && return 0
  [[ $(id -u) -eq 0 ]] || die "PostgreSQL server binaries missing; run as root: apt-get install -y postgresql"
  log "installing Debian postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; } \
    || die "apt-get install postgresql failed"
  [[ -n "$(pg_bindir)" ]] || die "postgresql installed but no /usr/lib/postgresql/*/bin/postgres"
}

# Run a command as the postgres OS user when we are root (postgres refuses to run as root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

BIN=""
need_bin() {
  install_pg
  BIN="$(pg_bindir)"
}

socket_dir() {
  # unix socket paths are limited to ~107 bytes
  if ((${#PGDATA} < 80)); then echo "$PGDATA"; else echo /tmp; fi
}

is_running() { [[ -f "$PGDATA/postmaster.pid" ]] && as_pg "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

init_cluster() {
  [[ -f "$PGDATA/PG_VERSION" ]] && return 0
  mkdir -p "$PGDATA"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$PGDATA"
    runuser -u postgres -- test -x "$PGDATA" ||
      die "user postgres cannot reach $PGDATA (a parent directory is not traversable); set PGDATA under /tmp"
  fi
  chmod 700 "$PGDATA"
  log "initdb $PGDATA"
  as_pg "$BIN/initdb" -D "$PGDATA" -U postgres --auth-local=trust --auth-host=trust -E UTF8 \
    --locale=C.UTF-8 >"$PGDATA.initdb.log" 2>&1 || { cat "$PGDATA.initdb.log" >&2; die "initdb failed"; }
  cat >>"$PGDATA/postgresql.conf" <<EOF

# --- deploy/local/postgres.sh (tests/dev only) ---
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_line_prefix = '%m [%p] %d '
EOF
  # trust only on loopback (initdb's defaults already are loopback-only; keep it explicit)
  cat >"$PGDATA/pg_hba.conf" <<'EOF'
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
host    all   all   ::1/128       trust
local   replication all           trust
host    replication all 127.0.0.1/32 trust
EOF
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PGDATA/pg_hba.conf"
  true
}

start() {
  need_bin
  init_cluster
  if is_running; then
    log "already running ($PGDATA)"
  else
    local sock
    sock="$(socket_dir)"
    touch "$LOGFILE"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$LOGFILE"
    # -w: pg_ctl waits until the server accepts connections
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$LOGFILE" -w -t "$PG_START_TIMEOUT" \
      -o "-p $PGPORT -k $sock" start >/dev/null ||
      { tail -n 30 "$LOGFILE" >&2; die "PostgreSQL failed to start on port $PGPORT"; }
  fi
  local deadline=$((SECONDS + PG_START_TIMEOUT))
  until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" -U postgres; do
    ((SECONDS < deadline)) || { tail -n 30 "$LOGFILE" >&2; die "pg_isready failed on 127.0.0.1:$PGPORT"; }
    sleep 0.2
  done
  log "ready: postgresql://postgres@127.0.0.1:$PGPORT/postgres (PostgreSQL $(pg_version), data $PGDATA)"
}

stop() { # mode
  need_bin
  if is_running; then
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -m "$1" -w -t 60 stop >/dev/null || die "pg_ctl stop failed"
    log "stopped ($1)"
  else
    log "not running ($PGDATA)"
  fi
}

pg_version() { "$(pg_bindir)/postgres" --version | awk '{print $3}'; }

case "${1:-}" in
  start) start ;;
  stop) stop fast ;;
  kill) stop immediate ;;
  status)
    need_bin
    if is_running; then echo "running (port $PGPORT, data $PGDATA)"; else echo "stopped"; exit 3; fi
    ;;
  wipe)
    need_bin
    is_running && die "running; stop it first"
    rm -rf "$PGDATA" "$LOGFILE" "$PGDATA.initdb.log"
    log "removed $PGDATA"
    ;;
  install) install_pg ;;
  version) need_bin; pg_version ;;
  *) echo "usage: $0 {start|stop|kill|status|wipe|install|version}" >&2; exit 2 ;;
esac
